/**
 * npm run bench:scan: memtop's steady-state sample with PAGEMAP_SCAN (the native module,
 * native/pagemap-scan) where it pays ('auto', the default), before every read ('always') and
 * never ('pure'), side by side with `cat /proc/[0-9]*\/smaps_rollup`, on the bench workloads
 * and a sparse writable one. Each round takes one sample with each sampler and one cat run,
 * in an order that rotates round by round; the table gives medians of wall and CPU time (all
 * threads) and the pagemap entries read.
 *
 * Options: --rounds N (default 15), --only a,b (idle, sparse, sparse-rw, fork, postgres),
 * --own (sample only the workload's own processes, and cat only theirs: apart from whatever
 * else runs on the host), --before DIR (also the default sampler of another build of memtop,
 * DIR/dist/sampler/sampler.js: the code before a change), --threads N (sampler threads; 1 gives
 * CPU times that other load on the host disturbs least).
 */
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildTimer, fmtMs, fmtRatio, median, timeCommand } from './measure.js';
import { PAGE_SIZE, Workload } from '../test/helpers/workload.js';
import { startFork, startPostgres, startSparse, type Started } from './workloads.js';

type SamplerModule = typeof import('../src/sampler/sampler.js');
type Sampler = import('../src/sampler/sampler.js').Sampler;

const WARMUP_SAMPLES = 3;
const CAT = ['sh', '-c', 'cat /proc/[0-9]*/smaps_rollup >/dev/null 2>&1'];

interface Args {
  rounds: number;
  only?: Set<string>;
  own: boolean;
  before?: string;
  threads?: number;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { rounds: 15, own: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--rounds') args.rounds = Math.max(3, Number(argv[++i]));
    else if (a === '--only') args.only = new Set((argv[++i] ?? '').split(','));
    else if (a === '--own') args.own = true;
    else if (a === '--before') args.before = argv[++i];
    else if (a === '--threads') args.threads = Math.max(1, Number(argv[++i]));
    else throw new Error(`unknown option ${a}`);
  }
  return args;
}

interface Series {
  wall: number[];
  cpu: number[];
  entries: number[];
  rangeEntries: number[];
}

function sampleOnce(sampler: Sampler, into: Series, pids: number[] | undefined): void {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  sampler.sample(pids ? { pids } : {});
  into.wall.push(performance.now() - t0);
  const c = process.cpuUsage(c0);
  into.cpu.push((c.user + c.system) / 1000);
  into.entries.push(sampler.lastStats.pagemapEntries);
  into.rangeEntries.push(sampler.lastStats.pagemapRangeEntries);
}

/** One process with a 64 GiB private RW region (NORESERVE): 64 pages written every 128 MiB. */
async function startSparseRw(): Promise<Started> {
  const w = await Workload.start();
  try {
    const pages = (64 * 2 ** 30) / PAGE_SIZE;
    const addr = await w.lazy(false, pages);
    for (let p = 0; p < pages; p += (128 * 2 ** 20) / PAGE_SIZE) await w.write(addr, p, 64);
  } catch (error) {
    await w.stop();
    throw error;
  }
  return {
    workload: {
      name: 'sparse-rw',
      description: '64 GiB private RW region, 64 pages written every 128 MiB',
      stop: () => w.stop(),
      pids: () => [w.pid],
    },
  };
}

async function measure(
  mod: SamplerModule,
  name: string,
  rounds: number,
  timer: string,
  pids: number[] | undefined,
  before: SamplerModule | undefined,
  threads: number | undefined,
) {
  const t = threads === undefined ? {} : { threads };
  const cat = pids ? ['cat', ...pids.map((pid) => `/proc/${pid}/smaps_rollup`)] : CAT;
  const samplers: [string, Sampler][] = [
    ['auto', mod.Sampler.open(t)],
    ['always', mod.Sampler.open({ ...t, pagemapScan: 'always' })],
    ['pure', mod.Sampler.open({ ...t, pagemapScan: false })],
  ];
  if (before) samplers.push(['before', before.Sampler.open(t)]);
  try {
    const auto = samplers[0]![1];
    if (!auto.pagemapScan.used) throw new Error(`no PAGEMAP_SCAN: ${auto.pagemapScan.reason}`);
    await Promise.all(samplers.map(([, s]) => s.whenReady()));
    for (let i = 0; i < WARMUP_SAMPLES; i++) for (const [, s] of samplers) s.sample();
    await timeCommand(timer, 1, cat);
    const series = samplers.map((): Series => ({
      wall: [],
      cpu: [],
      entries: [],
      rangeEntries: [],
    }));
    const catRuns: number[] = [];
    for (let round = 0; round < rounds; round++) {
      const steps: (() => unknown)[] = samplers.map(
        ([, s], i) =>
          () =>
            sampleOnce(s, series[i]!, pids),
      );
      steps.push(async () => catRuns.push((await timeCommand(timer, 1, cat))[0]!.ms));
      // Rotate the order, so that no tool always follows the same one.
      for (let k = 0; k < steps.length; k++) await steps[(k + round) % steps.length]!();
    }
    const catMs = median(catRuns);
    const row = (label: string, x: Series) =>
      `${name.padEnd(9)} ${label.padEnd(6)} ${fmtMs(median(x.wall)).padStart(6)} (${fmtMs(median(x.cpu))}) ` +
      `${fmtRatio(median(x.wall) / catMs).padStart(6)}  cat ${fmtMs(catMs)}  pagemap entries read ` +
      `${(median(x.entries) / 1e6).toFixed(2)} M of ${(median(x.rangeEntries) / 1e6).toFixed(2)} M`;
    samplers.forEach(([label], i) => console.log(row(label, series[i]!)));
  } finally {
    for (const [, s] of samplers) s.close();
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const cli = fileURLToPath(new URL('../dist/sampler/sampler.js', import.meta.url));
  if (!existsSync(cli)) throw new Error(`${cli} missing: run npm run build`);
  const mod = (await import(
    new URL('../dist/sampler/sampler.js', import.meta.url).href
  )) as SamplerModule;
  const before = args.before
    ? ((await import(
        pathToFileURL(resolve(args.before, 'dist/sampler/sampler.js')).href
      )) as SamplerModule)
    : undefined;
  const timer = buildTimer();
  console.log(
    `workload  path  steady ms (CPU ms)  steady/cat  (medians of ${args.rounds} interleaved rounds)`,
  );
  const starters: [string, () => Promise<Started>][] = [
    ['idle', async () => ({ workload: { name: 'idle', description: '', stop: async () => {} } })],
    ['sparse', async () => ({ workload: await startSparse() })],
    ['sparse-rw', startSparseRw],
    ['fork', async () => ({ workload: await startFork() })],
    ['postgres', startPostgres],
  ];
  for (const [name, start] of starters) {
    if (args.only && !args.only.has(name)) continue;
    const started = await start();
    if ('skipped' in started) {
      console.log(`${name}: skipped: ${started.skipped}`);
      continue;
    }
    try {
      await sleep(500);
      const pids = args.own ? started.workload.pids?.() : undefined;
      if (args.own && !pids) {
        console.log(`${name}: no processes of its own (--own): skipped`);
        continue;
      }
      await measure(mod, name, args.rounds, timer, pids, before, args.threads);
    } finally {
      await started.workload.stop();
    }
  }
}

await main();
