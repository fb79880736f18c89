/**
 * The mapping view of a process with 200,000 mappings, in a real terminal: memtop in tmux
 * (120×40), keys sent with send-keys, each timed until the screen shows its effect (polling
 * capture-pane). Keys are timed between samples (sent as soon as a sample's frame is on
 * screen) and while a sample runs (sent just after the next one started); memtop's RSS is read
 * from /proc as it runs. vm.max_map_count is raised for the workload and put back at the end.
 *
 * Run: npm run bench:mappings [-- --mappings N --rounds N --interval S --cli PATH]
 * (--cli: another build's dist/cli.js, to compare)
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { CLI } from '../test/helpers/cli.js';
import { raiseMapCount } from '../test/helpers/map-count.js';
import { Workload } from '../test/helpers/workload.js';
import { measureMappingMemory } from './mapping-memory.js';
import { fmtMs, median, runBinWithThisNode } from './measure.js';

const SOCKET = `memtop-bench-mappings-${process.pid}`;
const COLUMNS = 120;
const ROWS = 40;
const TIMEOUT_MS = 120_000;

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at >= 0 ? Number(process.argv[at + 1]) : fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} expects a number > 0`);
  return value;
}

function tmux(...args: string[]): string {
  return execFileSync('tmux', ['-L', SOCKET, ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** The screen as text, and the row drawn selected (inverse video, not the bold title). */
interface Screen {
  lines: string[];
  selected: number;
}

function capture(): Screen {
  const raw = tmux('capture-pane', '-p', '-e', '-t', 'bench').split('\n');
  // eslint-disable-next-line no-control-regex
  const selected = raw.findIndex((l) => /\x1b\[(?:0;)?7m/.test(l));
  // eslint-disable-next-line no-control-regex
  const lines = raw.map((l) => l.replace(/\x1b\[[0-9;]*m/g, ''));
  return { lines, selected };
}

/** What a key can change: the selected and first rows' addresses, the title, the summary. */
function viewState(s: Screen): string {
  const title = s.lines.findIndex((l) => /ADDRESS/.test(l));
  const address = (i: number) => (s.lines[i] ?? '').split(' ')[0];
  const summary = (s.lines[1] ?? '').split('  ·  ')[0];
  return [address(s.selected), address(title + 1), s.lines[title], summary].join('|');
}

/** The sampler's line: it changes with every sample (clock, sample time). */
const sampleLine = (s: Screen) => s.lines[1] ?? '';

async function waitFor(what: string, test: (s: Screen) => boolean): Promise<Screen> {
  const deadline = performance.now() + TIMEOUT_MS;
  for (;;) {
    const s = capture();
    if (test(s)) return s;
    if (performance.now() > deadline)
      throw new Error(`timed out waiting for ${what}:\n${s.lines.join('\n')}`);
    await sleep(2);
  }
}

/** Sends a key; resolves with the ms until the screen shows it. */
async function timeKey(key: string): Promise<number> {
  const before = viewState(capture());
  const t0 = performance.now();
  tmux('send-keys', '-t', 'bench', key);
  await waitFor(`key ${key}`, (s) => viewState(s) !== before);
  return performance.now() - t0;
}

function memtopPid(): number {
  const shell = Number(tmux('display-message', '-p', '-t', 'bench', '#{pane_pid}').trim());
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'latin1');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === shell && stat.includes('(node)')) return Number(name);
    } catch {
      // gone
    }
  }
  throw new Error('memtop is not running');
}

/** VmRSS and VmHWM (peak) of a process, MiB. */
function rssMiB(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(status)?.[1]);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

const p95 = (xs: readonly number[]) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.95))]!;

/** The keys of one round after its first, each changing what viewState sees. */
const KEYS = ['Down', 'PageDown', 'End', 'Up', 'Home', '>', '<', 'g', 'End', 'Home', 'g'];

const MOVES = new Set(['Down', 'Up', 'PageDown', 'End', 'Home']);

/** A move that changes the selection wherever it is: Down from the top row, else Home. */
function moveKey(): string {
  const s = capture();
  const title = s.lines.findIndex((l) => /ADDRESS/.test(l));
  return s.selected === title + 1 ? 'Down' : 'Home';
}

async function main(): Promise<void> {
  const mappings = option('mappings', 200_000);
  const rounds = option('rounds', 4);
  const intervalS = option('interval', 10);
  const cliAt = process.argv.indexOf('--cli');
  const cli = cliAt >= 0 ? process.argv[cliAt + 1]! : CLI;
  runBinWithThisNode();
  const restoreMapCount = raiseMapCount(mappings);
  let workload: Workload | undefined;
  try {
    workload = await Workload.start();
    await workload.many(mappings);
    const total = readFileSync(`/proc/${workload.pid}/maps`, 'latin1').split('\n').length - 1;
    tmux('new-session', '-d', '-s', 'bench', '-x', `${COLUMNS}`, '-y', `${ROWS}`, 'bash --norc');
    tmux(
      'send-keys',
      '-t',
      'bench',
      `env CI=false ${cli} -d ${intervalS} -p ${workload.pid}; exit`,
      'Enter',
    );
    await waitFor('the process row', (s) => s.lines.some((l) => l.includes(`${workload!.pid} `)));
    const pid = memtopPid();
    const list = rssMiB(pid);
    const t0 = performance.now();
    tmux('send-keys', '-t', 'bench', 'Enter');
    const opened = await waitFor('the mapping view', (s) =>
      s.lines.some((l) => l.startsWith(`${total} mappings`)),
    );
    await waitFor('its first row', (s) => /^[0-9a-f]+-[0-9a-f]+ /.test(s.lines[3] ?? ''));
    const openMs = performance.now() - t0;
    const between: number[] = [];
    const moves: number[] = [];
    const reorders: number[] = [];
    const during: number[] = [];
    const rss: number[] = [];
    const sampleMs: number[] = [];
    let line = sampleLine(opened);
    for (let round = 0; round < rounds; round++) {
      // A new sample's frame: keys from now until the next sample starts are "between".
      const frame = await waitFor('a sample', (s) => sampleLine(s) !== line);
      const frameAt = performance.now();
      line = sampleLine(frame);
      sampleMs.push(Number(/sample (\d+) ms/.exec(line)?.[1]));
      rss.push(rssMiB(pid).rss);
      for (const key of [moveKey(), ...KEYS]) {
        if (performance.now() - frameAt > intervalS * 1000 - 300) break;
        const ms = await timeKey(key);
        between.push(ms);
        (MOVES.has(key) ? moves : reorders).push(ms);
      }
      // Just after the next sample started: the key waits for the main thread.
      const next = frameAt + intervalS * 1000 + 100;
      await sleep(Math.max(0, next - performance.now()));
      during.push(await timeKey(moveKey()));
      line = sampleLine(capture());
    }
    const peak = rssMiB(pid);
    tmux('send-keys', '-t', 'bench', 'q');
    const line2 = (label: string, value: string) => console.log(`  ${label.padEnd(52)}${value}`);
    const ms = (xs: number[]) => `${fmtMs(median(xs))} / ${fmtMs(p95(xs))} ms  (${xs.length} keys)`;
    console.log(
      `memtop mapping view, one process with ${total} mappings, ${COLUMNS}×${ROWS}, ` +
        `-d ${intervalS}, ${rounds} rounds`,
    );
    line2('open (Enter on the process to first rows)', `${fmtMs(openMs)} ms`);
    line2('key to screen between samples (median / p95)', ms(between));
    line2('  of which moves (arrows, PgDn, Home, End)', ms(moves));
    line2('  of which sort and group changes (< > g)', ms(reorders));
    line2('key to screen while a sample runs (median / p95)', ms(during));
    line2('sample time shown in the header (median)', `${fmtMs(median(sampleMs))} ms`);
    line2('memtop RSS on the process list', `${list.rss.toFixed(0)} MiB`);
    line2('memtop RSS in the mapping view (median)', `${median(rss).toFixed(0)} MiB`);
    line2('memtop peak RSS (VmHWM)', `${peak.peak.toFixed(0)} MiB`);
    console.log(`  keys: Down or Home, ${KEYS.join(' ')} (< > sort, g group)`);
    const memory = await measureMappingMemory(workload.pid);
    const bytes = (b: number) => `${b.toFixed(0)} B`;
    console.log(`Heap per mapping, ${memory.mappings} mappings (this process, after GC):`);
    line2('a focused sample (Mapping objects, one page each)', bytes(memory.snapshotBytes));
    line2('the mapping view over it, by address', bytes(memory.viewBytes));
    line2('  after a sort by RSS and grouping by file', bytes(memory.viewSortedBytes));
  } finally {
    try {
      tmux('kill-server');
    } catch {
      // no server left
    }
    await workload?.stop();
    restoreMapCount();
  }
}

await main();
