/**
 * memtop's own memory through a transient spike of processes: its RSS (VmRSS) before, at and
 * after ~120 processes of a few hundred MiB each come and go, in the interactive view (tmux)
 * and in a batch loop that reads every page each interval. The spike is a workload process
 * that writes SPIKE_MIB and forks into SPIKE_PROCESSES (copy-on-write: every process holds all
 * of those pages, the machine holds them once).
 *
 *   npm run bench:memory [-- --only tui|batch] [--samples N]
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { PAGE_SIZE, Workload } from '../test/helpers/workload.js';
import { runBinWithThisNode } from './measure.js';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const SPIKE_PROCESSES = 120;
const SPIKE_MIB = 256;
const INTERVAL_S = 1;
/** Samples after the spike, per sample before it. */
const AFTER_FACTOR = 4;
const SOCKET = `memtop-bench-memory-${process.ppid}-${Date.now()}`;
const ISOLATED = 'MEMTOP_BENCH_ISOLATED';

interface Figures {
  mode: string;
  beforeMib: number;
  peakMib: number;
  afterMib: number;
  hwmMib: number;
  spikeResidentPages: number;
}

function statusKb(pid: number, field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(
    readFileSync(`/proc/${pid}/status`, 'latin1'),
  );
  if (!m) throw new Error(`no ${field} for ${pid}`);
  return Number(m[1]);
}

/** memtop's RSS, in MiB, every interval for `seconds`: the last reading and the highest. */
async function watch(pid: number, seconds: number): Promise<{ lastMib: number; maxMib: number }> {
  let last = 0;
  let max = 0;
  for (let t = 0; t < seconds; t++) {
    await sleep(INTERVAL_S * 1000);
    last = statusKb(pid, 'VmRSS') / 1024;
    max = Math.max(max, last);
  }
  return { lastMib: last, maxMib: max };
}

async function startSpike(): Promise<{ stop: () => Promise<void>; residentPages: number }> {
  const w = await Workload.start();
  const pages = (SPIKE_MIB << 20) / PAGE_SIZE;
  await w.anon(pages);
  // A few children a command: each fork copies the region's page tables, slow on a busy host.
  for (let n = 1; n < SPIKE_PROCESSES; n += 10) await w.fork(Math.min(10, SPIKE_PROCESSES - n));
  return { stop: () => w.stop(), residentPages: pages * SPIKE_PROCESSES };
}

/** Runs memtop (started by `launch`, which returns its pid) through the spike. */
async function through(
  mode: string,
  launch: () => number,
  end: () => void,
  samples: number,
): Promise<Figures> {
  const pid = launch();
  try {
    // Steady before: the host as it is, after memtop's start-up.
    const before = await watch(pid, samples);
    const spike = await startSpike();
    let at: { lastMib: number; maxMib: number };
    try {
      at = await watch(pid, samples);
    } finally {
      await spike.stop();
    }
    // After: the spike gone; memtop's RSS once it has sampled the smaller host a while (the
    // garbage collector frees the spike's samples when it next runs: not at once).
    const after = await watch(pid, AFTER_FACTOR * samples);
    return {
      mode,
      beforeMib: before.lastMib,
      peakMib: at.maxMib,
      afterMib: after.lastMib,
      hwmMib: statusKb(pid, 'VmHWM') / 1024,
      spikeResidentPages: spike.residentPages,
    };
  } finally {
    end();
  }
}

function tmux(...args: string[]): string {
  return execFileSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8' });
}

async function interactive(samples: number): Promise<Figures> {
  return through(
    'interactive (tmux 120×40)',
    () => {
      tmux(
        'new-session',
        '-d',
        '-s',
        'm',
        '-x',
        '120',
        '-y',
        '40',
        `env CI=false TERM=xterm-256color ${CLI} -d ${INTERVAL_S}`,
      );
      return Number(tmux('display-message', '-p', '-t', 'm', '#{pane_pid}').trim());
    },
    () => {
      try {
        tmux('kill-server');
      } catch {
        // already gone
      }
    },
    samples,
  );
}

async function batch(samples: number): Promise<Figures> {
  let child: ReturnType<typeof spawn> | undefined;
  return through(
    'batch (-b --budget off, every page each interval)',
    () => {
      child = spawn(CLI, ['-b', '-d', String(INTERVAL_S), '--budget', 'off'], {
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      return child.pid!;
    },
    () => void child?.kill('SIGTERM'),
    samples,
  );
}

function parseArgs(argv: string[]): { only?: string; samples: number } {
  const out: { only?: string; samples: number } = { samples: 10 };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--only') out.only = argv[++i];
    else if (argv[i] === '--samples') out.samples = Number(argv[++i]);
    else throw new Error(`unknown argument ${argv[i]}`);
  }
  return out;
}

/**
 * The host as this machine has it changes under the bench (other work comes and goes): the
 * bench runs in a PID namespace of its own, where memtop sees only the spike and itself.
 */
function isolate(): boolean {
  if (process.env[ISOLATED] === '1') return false;
  execFileSync(
    'unshare',
    [
      '--pid',
      '--fork',
      '--mount-proc',
      process.execPath,
      ...process.execArgv,
      ...process.argv.slice(1),
    ],
    { stdio: 'inherit', env: { ...process.env, [ISOLATED]: '1' } },
  );
  return true;
}

async function main(): Promise<void> {
  if (!existsSync(CLI)) throw new Error(`${CLI} missing: run npm run build`);
  if (isolate()) return;
  runBinWithThisNode();
  const args = parseArgs(process.argv.slice(2));
  console.log(
    `memtop memory through a spike of ${SPIKE_PROCESSES} processes × ${SPIKE_MIB} MiB ` +
      `(${args.samples} samples before and at, ${AFTER_FACTOR * args.samples} after, ${INTERVAL_S} s apart)`,
  );
  const rows: Figures[] = [];
  if (!args.only || args.only === 'tui') rows.push(await interactive(args.samples));
  if (!args.only || args.only === 'batch') rows.push(await batch(args.samples));
  for (const r of rows) {
    console.log(
      `${r.mode}: RSS before ${r.beforeMib.toFixed(1)} MiB · at the spike (peak) ` +
        `${r.peakMib.toFixed(1)} MiB · after ${r.afterMib.toFixed(1)} MiB · VmHWM ${r.hwmMib.toFixed(1)} MiB ` +
        `(spike: ${(r.spikeResidentPages / 1e6).toFixed(2)} M resident pages)`,
    );
  }
}

await main();
