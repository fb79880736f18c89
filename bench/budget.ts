/**
 * memtop's CPU use within a budget, on the fork workload (and whatever else the host runs) at
 * several `--budget` values, and what memtop claims of it against what the kernel counts:
 *
 * - batch: `memtop -b --json` frames under /usr/bin/time: the sampler's own CPU time per frame
 *   (`sampleCpuMs`, all threads) against the wall time the frames span; the whole process's
 *   CPU time over its run (start-up, comparisons and JSON included); and the last frame's
 *   `averageCpuPercent` (claimed) against utime + stime of /proc/PID/stat read as frames
 *   arrive, over the same window (measured: the last 30 s, from the end of the first sample).
 * - interactive: the TUI in tmux (120×40) at the same interval, followed for `--tui` seconds:
 *   the header's average (claimed) against /proc/PID/stat as frames are drawn, over the same
 *   window (measured).
 *
 * Run: npm run build && npx tsx bench/budget.ts [--frames N] [--interval S] [--budgets off,10,2]
 *      [--tui S (0: no interactive runs)] [--cli PATH (another build's dist/cli.js)]
 *      [--no-workload]
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import {
  claimedShare,
  followHeader,
  measuredPercent,
  processCpuMs,
  windowStart,
} from '../test/helpers/proc-cpu.js';
import { Tmux } from '../test/helpers/tmux.js';
import { startFork, type BenchWorkload } from './workloads.js';
import { runBinWithThisNode } from './measure.js';

runBinWithThisNode();

function option(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1]! : fallback;
}

const CLI = option('cli', new URL('../dist/cli.js', import.meta.url).pathname);

interface Frame {
  time: string;
  sampleCpuMs: number;
  averageCpuPercent?: number | null;
  processesRead?: number;
  totals: { rss: number; processes: number };
}

interface Run {
  budget: string;
  frames: Frame[];
  /** memtop's CPU time (utime + stime, ms) and performance.now() as each frame arrived. */
  arrivals: { atMs: number; cpuMs: number }[];
  /** The whole process: user + system CPU seconds, and elapsed seconds. */
  cpuS: number;
  elapsedS: number;
}

/** The pid of /usr/bin/time's child: memtop (its bin execs node). */
function childOf(pid: number): number | undefined {
  try {
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
    return children ? Number(children.split(/\s+/)[0]) : undefined;
  } catch {
    return undefined;
  }
}

/** One `memtop -b --json` run under /usr/bin/time. */
function run(budget: string, frames: number, intervalS: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    // The bin as a user runs it (its preamble sets Node's flags).
    const args = ['-f', 'TIME %U %S %e', CLI, '-b', '--json'];
    args.push('-n', String(frames), '-d', String(intervalS), '--budget', budget);
    const child = spawn('/usr/bin/time', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let memtop: number | undefined;
    const arrivals: Run['arrivals'] = [];
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      memtop ??= childOf(child.pid!);
      const atMs = performance.now();
      try {
        const cpuMs = memtop === undefined ? NaN : processCpuMs(memtop);
        for (let i = 0; i < d.split('\n').length - 1; i++) arrivals.push({ atMs, cpuMs });
      } catch {
        // memtop has just exited: this chunk's frames are not timed
      }
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const m = /TIME ([\d.]+) ([\d.]+) ([\d.]+)/.exec(err);
      if (code !== 0 || !m) return reject(new Error(`memtop failed (${code}): ${err}`));
      resolve({
        budget,
        frames: out
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as Frame),
        arrivals,
        cpuS: Number(m[1]) + Number(m[2]),
        elapsedS: Number(m[3]),
      });
    });
  });
}

/** Σ CPU of frames first..last−1 over the wall time from frame first to frame last, % of a core. */
function samplerPercent(frames: readonly Frame[], first: number): number {
  const last = frames.length - 1;
  const spanMs = Date.parse(frames[last]!.time) - Date.parse(frames[first]!.time);
  let cpuMs = 0;
  for (let i = first; i < last; i++) cpuMs += frames[i]!.sampleCpuMs;
  return (100 * cpuMs) / spanMs;
}

/** The interactive view in tmux for `seconds`: the header's last average and the kernel's figure. */
async function runTui(budget: string, intervalS: number, seconds: number) {
  const tmux = new Tmux();
  try {
    tmux.open('b');
    tmux.command('b', `clear; exec ${CLI} -d ${intervalS} --budget ${budget}`);
    await tmux.waitFor('b', 'the view', (s) => /^memtop \d\d:\d\d:\d\d /m.test(s), 60_000);
    const pid = Number(tmux.flag('b', 'pane_pid')); // exec: the pane's shell became memtop
    const looks = await followHeader(tmux, 'b', pid, seconds * 1000);
    tmux.keys('b', 'q');
    const last = looks.at(-1)!;
    const read = /pages of (\d+) of (\d+) processes read/.exec(last.header);
    return {
      frames: looks.length,
      claimed: claimedShare(last.header)?.averagePercent,
      measured: measuredPercent(windowStart(looks), last),
      read: read ? `${read[1]} of ${read[2]}` : 'all',
    };
  } finally {
    tmux.kill();
  }
}

const frames = Number(option('frames', '31'));
const intervalS = Number(option('interval', '2'));
const budgets = option('budgets', 'off,10,2').split(',');
const tuiS = Number(option('tui', '25'));
const pct = (p: number | null | undefined) => (p == null ? '-' : `${p.toFixed(2)}%`);
let workload: BenchWorkload | undefined;
if (!process.argv.includes('--no-workload')) workload = await startFork();
try {
  console.log(
    `${CLI}: ${frames} frames every ${intervalS} s; ` +
      (workload ? workload.description : 'the host as it is'),
  );
  console.log(
    '| budget | processes | resident pages | first sample CPU ms | sampler CPU, all frames | sampler CPU, after the first | memtop process CPU | claimed (last frame) | measured, same window | mean processes read |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const budget of budgets) {
    const r = await run(budget, frames, intervalS);
    const last = r.frames.at(-1)!;
    const read = r.frames.slice(1).map((f) => f.processesRead ?? f.totals.processes);
    // The window of the last frame's average: the last 30 s, from the end of the first sample.
    const timed = r.arrivals.slice(0, r.frames.length);
    const [a, b] = [timed.length > 1 ? windowStart(timed) : undefined, timed.at(-1)];
    const measured = a && b ? (100 * (b.cpuMs - a.cpuMs)) / (b.atMs - a.atMs) : undefined;
    const cells = [
      budget === 'off' ? 'off' : `${budget}%`,
      String(last.totals.processes),
      `${(last.totals.rss / 4096 / 1e6).toFixed(2)} M`,
      r.frames[0]!.sampleCpuMs.toFixed(0),
      pct(samplerPercent(r.frames, 0)),
      pct(samplerPercent(r.frames, 1)),
      pct((100 * r.cpuS) / r.elapsedS),
      pct(last.averageCpuPercent),
      pct(measured),
      (read.reduce((x, y) => x + y, 0) / read.length).toFixed(1),
    ];
    console.log(`| ${cells.join(' | ')} |`);
  }
  if (tuiS > 0) {
    console.log(`\ninteractive view (tmux 120×40), -d ${intervalS}, followed for ${tuiS} s`);
    console.log('| budget | frames | claimed (header) | measured, same window | pages read |');
    console.log('| --- | --- | --- | --- | --- |');
    for (const budget of budgets) {
      const t = await runTui(budget, intervalS, tuiS);
      const cells = [budget === 'off' ? 'off' : `${budget}%`, String(t.frames)];
      cells.push(pct(t.claimed), pct(t.measured), t.read);
      console.log(`| ${cells.join(' | ')} |`);
    }
  }
} finally {
  await workload?.stop();
}
