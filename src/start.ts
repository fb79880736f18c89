/**
 * How memtop starts, right after bin.ts. A worker thread of the sampler takes ~100 ms to
 * start, about as long as memtop takes to load and parse its command line: it is started
 * first, in parallel with all of that, so that it is ready to share the first sample (see
 * docs/PERFORMANCE.md); for the interactive view, the thread that hosts the sampler itself.
 * Only then does the rest of memtop load.
 */
import { prestartWorkers } from './sampler/page-workers.js';
import { prestartSamplerHost } from './sampler/sampler-host.js';

const args = process.argv.slice(2);

/**
 * Arguments after which no large privileged live sample follows: help, version, another proc
 * tree, no privilege, a few processes (-p, pagemaps). No worker is started ahead for them (a
 * sampler that wants one starts it when it opens). Anything else is a guess that costs little
 * when wrong: a worker the sampler does not take is ended when it opens.
 */
const NO_WORKERS = /^(-h|--help|-V|--version|--unprivileged|--proc-root(=.*)?|-p.*|--pid(=.*)?)$/;
const COMMANDS = new Set(['snapshot', 'pagemaps', 'libs', 'shares']);
/** What makes the default command print batch frames instead of the interactive view. */
const BATCH = /^(-b|--batch|--json|-[a-zA-Z]*b[a-zA-Z]*)$/;

const wantsWorkers =
  process.getuid?.() === 0 && args[0] !== 'pagemaps' && !args.some((a) => NO_WORKERS.test(a));
const interactive =
  !COMMANDS.has(args[0] ?? '') &&
  !args.some((a) => BATCH.test(a) || /^(-h|--help|-V|--version)$/.test(a)) &&
  process.stdout.isTTY === true &&
  process.stdin.isTTY === true;

// The interactive view samples in a thread of its own, which then starts the page workers.
if (interactive) prestartSamplerHost({ prestartPageWorkers: wantsWorkers });
else if (wantsWorkers) prestartWorkers();

const { main } = await import('./main.js');
process.exitCode = await main(args);
