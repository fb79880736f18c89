/**
 * npm run bench: builds each workload of docs/PERFORMANCE.md, then measures side by side
 *  - memtop's per-sample time in steady state, inside this process, after warm-up;
 *  - `dist/cli.js snapshot --json` (the bin, as a user runs it) as a whole process (and its
 *    peak RSS);
 *  - `cat /proc/[0-9]*\/smaps_rollup` (the kernel's own page-table walk);
 *  - `smem -t` when installed;
 * as medians of several runs, interleaved round by round, with the ratios of the targets.
 *
 * Options: --runs N (whole-process runs per tool, default 7), --only a,b (workload names),
 * --tui (measure the interactive view's idle CPU even when it still prints batch frames).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { PAGE_SIZE } from '../test/helpers/workload.js';
import { buildTimer, fmtMs, fmtRatio, median, runBinWithThisNode, timeCommand } from './measure.js';
import { tuiIdleReport } from './tui-idle.js';
import {
  startFork,
  startMany,
  startPostgres,
  startSparse,
  type BenchWorkload,
  type Started,
} from './workloads.js';

runBinWithThisNode();

type SamplerModule = typeof import('../src/sampler/sampler.js');

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const WARMUP_SAMPLES = 3;
const STEADY_SAMPLES = 9;
/** The interactive view's idle CPU is measured over TUI_WINDOW_S seconds after TUI_WARMUP_S. */
const TUI_WARMUP_S = 10;
const TUI_WINDOW_S = 60;

interface Args {
  runs: number;
  only?: Set<string>;
  tui: boolean;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { runs: 7, tui: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--runs') args.runs = Math.max(5, Number(argv[++i]));
    else if (a === '--only') args.only = new Set((argv[++i] ?? '').split(','));
    else if (a === '--tui') args.tui = true;
    else throw new Error(`unknown option ${a}`);
  }
  return args;
}

interface Row {
  name: string;
  description: string;
  processes: number;
  residentPages: number;
  /** memtop in-process, steady state: wall and CPU (all threads) per sample. */
  steadyMs: number;
  steadyCpuMs: number;
  snapshotMs: number;
  snapshotPeakKb: number;
  catMs: number;
  smemMs: number;
}

const hasSmem = (() => {
  try {
    execFileSync('sh', ['-c', 'command -v smem'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

async function loadSampler(): Promise<SamplerModule> {
  const url = new URL('../dist/sampler/sampler.js', import.meta.url);
  return (await import(url.href)) as SamplerModule;
}

async function steadyState(
  mod: SamplerModule,
): Promise<{ ms: number; cpuMs: number; processes: number; residentPages: number }> {
  const sampler = mod.Sampler.open();
  try {
    await sampler.whenReady();
    for (let i = 0; i < WARMUP_SAMPLES; i++) sampler.sample();
    const wall: number[] = [];
    const cpu: number[] = [];
    let processes = 0;
    let residentPages = 0;
    for (let i = 0; i < STEADY_SAMPLES; i++) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const snap = sampler.sample();
      wall.push(performance.now() - t0);
      const c = process.cpuUsage(c0);
      cpu.push((c.user + c.system) / 1000);
      processes = snap.processes.length;
      residentPages = 0;
      for (const p of snap.processes) {
        if (p.access === 'pages') residentPages += p.totals.rssBytes / PAGE_SIZE;
      }
    }
    return { ms: median(wall), cpuMs: median(cpu), processes, residentPages };
  } finally {
    sampler.close();
  }
}

async function measure(
  timer: string,
  mod: SamplerModule,
  name: string,
  description: string,
  runs: number,
): Promise<Row> {
  const steady = await steadyState(mod);
  const tools: Record<string, string[]> = {
    // The bin as a user runs it: its shell preamble sets Node's flags (scripts/bundle.mjs).
    snapshot: [CLI, 'snapshot', '--json'],
    cat: ['sh', '-c', 'cat /proc/[0-9]*/smaps_rollup >/dev/null 2>&1'],
  };
  if (hasSmem) tools['smem'] = ['smem', '-t'];
  const results: Record<string, { ms: number[]; rss: number[] }> = {};
  for (const tool of Object.keys(tools)) results[tool] = { ms: [], rss: [] };
  // One warm-up run each (page cache, dentries), then interleaved rounds.
  for (const argv of Object.values(tools)) await timeCommand(timer, 1, argv);
  for (let round = 0; round < runs; round++) {
    for (const [tool, argv] of Object.entries(tools)) {
      const [run] = await timeCommand(timer, 1, argv);
      if (run!.status !== 0 && tool !== 'cat')
        throw new Error(`${argv.join(' ')}: exit ${run!.status}`);
      results[tool]!.ms.push(run!.ms);
      results[tool]!.rss.push(run!.maxRssKb);
    }
  }
  return {
    name,
    description,
    processes: steady.processes,
    residentPages: steady.residentPages,
    steadyMs: steady.ms,
    steadyCpuMs: steady.cpuMs,
    snapshotMs: median(results['snapshot']!.ms),
    snapshotPeakKb: Math.max(...results['snapshot']!.rss),
    catMs: median(results['cat']!.ms),
    smemMs: results['smem'] ? median(results['smem'].ms) : Number.NaN,
  };
}

/** Target 5: the interactive view at the default interval. */
function tuiIdle(): string {
  return tuiIdleReport({
    node: process.execPath,
    cli: CLI,
    warmupS: TUI_WARMUP_S,
    windowS: TUI_WINDOW_S,
  });
}

function interactiveViewExists(): boolean {
  const file = fileURLToPath(new URL('../dist/commands/interactive.js', import.meta.url));
  return existsSync(file) && !readFileSync(file, 'utf8').includes('runBatch');
}

const MIB = 1024 * 1024;

function printRows(rows: Row[]): void {
  const header = [
    'workload',
    'procs',
    'resident pages',
    'memtop steady ms (CPU ms)',
    'snapshot --json ms',
    'cat smaps_rollup ms',
    'smem -t ms',
    'steady/cat',
    'snapshot/cat',
    'smem/snapshot',
    'snapshot peak RSS MiB',
  ];
  const lines = rows.map((r) => [
    r.name,
    String(r.processes),
    `${(r.residentPages / 1e6).toFixed(2)} M`,
    `${fmtMs(r.steadyMs)} (${fmtMs(r.steadyCpuMs)})`,
    fmtMs(r.snapshotMs),
    fmtMs(r.catMs),
    fmtMs(r.smemMs),
    fmtRatio(r.steadyMs / r.catMs),
    fmtRatio(r.snapshotMs / r.catMs),
    fmtRatio(r.smemMs / r.snapshotMs),
    (r.snapshotPeakKb / 1024).toFixed(1),
  ]);
  console.log(`\n| ${header.join(' | ')} |`);
  console.log(`|${header.map(() => '---').join('|')}|`);
  for (const l of lines) console.log(`| ${l.join(' | ')} |`);
}

function printTargets(rows: Row[], tui: string): void {
  const by = new Map(rows.map((r) => [r.name, r]));
  const out: string[] = [];
  const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');
  for (const name of ['fork', 'postgres']) {
    const r = by.get(name);
    if (!r) continue;
    const snap = r.snapshotMs / r.catMs;
    const steady = r.steadyMs / r.catMs;
    out.push(
      `1. ${name}: snapshot ${fmtRatio(snap)} cat (≤ 1.2×: ${verdict(snap <= 1.2)}), ` +
        `steady ${fmtRatio(steady)} cat (≤ 0.8×: ${verdict(steady <= 0.8)})`,
    );
  }
  const many = by.get('many');
  if (many && hasSmem) {
    const r = many.smemMs / many.snapshotMs;
    out.push(`2. many: smem/snapshot ${fmtRatio(r)} (≥ 10×: ${verdict(r >= 10)})`);
  }
  const pg = by.get('postgres');
  if (pg && hasSmem) {
    const r = pg.smemMs / pg.snapshotMs;
    out.push(`2. postgres: smem/snapshot ${fmtRatio(r)} (≥ 2×: ${verdict(r >= 2)})`);
  }
  const idle = by.get('idle');
  const sparse = by.get('sparse');
  if (idle && sparse) {
    const added = sparse.steadyMs - idle.steadyMs;
    out.push(
      `3. sparse adds ${fmtMs(added)} ms to a sample (steady ${fmtMs(sparse.steadyMs)} vs idle ` +
        `${fmtMs(idle.steadyMs)}; ≤ 10 ms: ${verdict(added <= 10)})`,
    );
  }
  const fork = by.get('fork');
  if (fork) {
    const limitKb = 100 * 1024 + (6 * fork.residentPages) / 1024;
    out.push(
      `4. fork: peak RSS ${(fork.snapshotPeakKb / 1024).toFixed(1)} MiB for ` +
        `${(fork.residentPages / 1e6).toFixed(2)} M resident pages (≤ ${(limitKb / 1024).toFixed(1)} MiB: ` +
        `${verdict(fork.snapshotPeakKb <= limitKb)})`,
    );
    if (idle && fork.residentPages > idle.residentPages) {
      const perPage =
        ((fork.snapshotPeakKb - idle.snapshotPeakKb) * 1024) /
        (fork.residentPages - idle.residentPages);
      out.push(
        `   peak RSS per tracked resident page (fork vs idle): ${perPage.toFixed(1)} bytes; ` +
          `idle peak ${(idle.snapshotPeakKb / 1024).toFixed(1)} MiB`,
      );
    }
  }
  out.push(`5. ${tui}`);
  console.log(`\nTargets:\n${out.join('\n')}`);
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (process.getuid?.() !== 0) {
    console.log('memtop bench: needs root (kpagecount, kpageflags, PFNs in pagemap)');
    process.exitCode = 1;
    return;
  }
  if (!existsSync(CLI)) throw new Error(`${CLI} missing: run npm run build`);
  const timer = buildTimer();
  const mod = await loadSampler();
  console.log(
    `memtop bench ${new Date().toISOString().slice(0, 10)} · Linux ${readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim()} · ` +
      `Node ${process.version} · ${execFileSync('nproc', { encoding: 'utf8' }).trim()} cores · ` +
      `${args.runs} whole-process runs per tool (median), ${STEADY_SAMPLES} in-process samples after ${WARMUP_SAMPLES} warm-up` +
      (hasSmem ? '' : ' · smem not installed: skipped'),
  );
  console.log(`(${ROOT})`);
  const wanted = (name: string) => !args.only || args.only.has(name);
  const starters: [string, () => Promise<Started>][] = [
    [
      'idle',
      async () => ({
        workload: { name: 'idle', description: 'no workload', stop: async () => {} },
      }),
    ],
    ['sparse', async () => ({ workload: await startSparse() })],
    ['many', async () => ({ workload: await startMany() })],
    ['fork', async () => ({ workload: await startFork() })],
    ['postgres', startPostgres],
  ];
  const rows: Row[] = [];
  for (const [name, start] of starters) {
    if (!wanted(name)) continue;
    process.stdout.write(`\n${name}: building…`);
    const started = await start();
    if ('skipped' in started) {
      console.log(` skipped: ${started.skipped}`);
      continue;
    }
    const w: BenchWorkload = started.workload;
    try {
      await sleep(500);
      process.stdout.write(' measuring…');
      const row = await measure(timer, mod, w.name, w.description, args.runs);
      rows.push(row);
      console.log(
        ` steady ${fmtMs(row.steadyMs)} ms · snapshot ${fmtMs(row.snapshotMs)} ms · cat ${fmtMs(row.catMs)} ms` +
          (hasSmem ? ` · smem ${fmtMs(row.smemMs)} ms` : ''),
      );
    } finally {
      await w.stop();
    }
  }
  let tui: string;
  if (!wanted('tui')) tui = 'TUI idle CPU: not asked for (--only)';
  else if (!args.tui && !interactiveViewExists()) {
    tui =
      'TUI idle CPU: skipped, the interactive view is not built yet (it still prints batch frames; --tui measures it anyway)';
  } else {
    tui = tuiIdle();
  }
  printRows(rows);
  printTargets(rows, tui);
  console.log(`\n(MiB = ${MIB} bytes; ratios are of medians)`);
}

await main();
