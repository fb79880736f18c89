/**
 * The sampler's CPU use within a budget: `memtop -b --json` on the fork workload (and whatever
 * else the host runs) at several `--budget` values, measured two ways: the sampler's own CPU
 * time per frame (`sampleCpuMs`, all threads) against the wall time the frames span, and the
 * whole memtop process's CPU time (`/usr/bin/time`: start-up, page-change comparison and JSON
 * included) against its run time.
 *
 * Run: npm run build && npx tsx bench/budget.ts [--frames N] [--interval S] [--budgets off,10,2]
 *      [--no-workload]
 */
import { spawn } from 'node:child_process';
import { startFork, type BenchWorkload } from './workloads.js';
import { runBinWithThisNode } from './measure.js';

runBinWithThisNode();

const CLI = new URL('../dist/cli.js', import.meta.url).pathname;

function option(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1]! : fallback;
}

interface Frame {
  time: string;
  sampleCpuMs: number;
  processesRead?: number;
  totals: { rss: number; processes: number };
}

interface Run {
  budget: string;
  frames: Frame[];
  /** The whole process: user + system CPU seconds, and elapsed seconds. */
  cpuS: number;
  elapsedS: number;
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
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
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

const frames = Number(option('frames', '31'));
const intervalS = Number(option('interval', '2'));
const budgets = option('budgets', 'off,10,2').split(',');
let workload: BenchWorkload | undefined;
if (!process.argv.includes('--no-workload')) workload = await startFork();
try {
  console.log(
    `${frames} frames every ${intervalS} s; ` +
      (workload ? workload.description : 'the host as it is'),
  );
  console.log(
    '| budget | processes | resident pages | first sample CPU ms | sampler CPU, all frames | sampler CPU, after the first | memtop process CPU | mean processes read |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const budget of budgets) {
    const r = await run(budget, frames, intervalS);
    const last = r.frames.at(-1)!;
    const read = r.frames.slice(1).map((f) => f.processesRead ?? f.totals.processes);
    const cells = [
      budget === 'off' ? 'off' : `${budget}%`,
      String(last.totals.processes),
      `${(last.totals.rss / 4096 / 1e6).toFixed(2)} M`,
      r.frames[0]!.sampleCpuMs.toFixed(0),
      `${samplerPercent(r.frames, 0).toFixed(2)}%`,
      `${samplerPercent(r.frames, 1).toFixed(2)}%`,
      `${((100 * r.cpuS) / r.elapsedS).toFixed(2)}%`,
      (read.reduce((a, b) => a + b, 0) / read.length).toFixed(1),
    ];
    console.log(`| ${cells.join(' | ')} |`);
  }
} finally {
  await workload?.stop();
}
