/**
 * memtop's entry point. A worker thread of the sampler takes ~100 ms to start, about as long as
 * memtop takes to load and parse its command line: it is started first, in parallel with all
 * of that, so that it is ready to share the first sample (see docs/PERFORMANCE.md). Only then
 * does the rest of memtop load.
 */
import { prestartWorkers } from './sampler/page-workers.js';

const args = process.argv.slice(2);

/**
 * Arguments after which no large privileged live sample follows: help, version, another proc
 * tree, no privilege, a few processes (-p, pagemaps). No worker is started ahead for them (a
 * sampler that wants one starts it when it opens). Anything else is a guess that costs little
 * when wrong: a worker the sampler does not take is ended when it opens.
 */
const NO_WORKERS = /^(-h|--help|-V|--version|--unprivileged|--proc-root(=.*)?|-p.*|--pid(=.*)?)$/;

if (process.getuid?.() === 0 && args[0] !== 'pagemaps' && !args.some((a) => NO_WORKERS.test(a))) {
  prestartWorkers();
}

const { main } = await import('./main.js');
process.exitCode = await main(args);
