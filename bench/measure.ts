/**
 * Whole-process timing through bench/timer.c (fork + exec + wait4: wall time and ru_maxrss
 * per run, no shell in between but the bin's own preamble), and small statistics helpers.
 */
import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/**
 * The bin's preamble runs `node` from PATH: make that the Node running the bench, for every
 * child started after this call.
 */
export function runBinWithThisNode(): void {
  process.env['PATH'] = `${dirname(process.execPath)}:${process.env['PATH'] ?? ''}`;
}

const execFileAsync = promisify(execFile);
const TIMER_SOURCE = fileURLToPath(new URL('./timer.c', import.meta.url));

/** Compiles bench/timer.c once per source version into the temp directory. */
export function buildTimer(): string {
  const source = readFileSync(TIMER_SOURCE);
  const hash = createHash('sha256').update(source).digest('hex').slice(0, 16);
  const dir = join(tmpdir(), `memtop-bench-${hash}`);
  const binary = join(dir, 'timer');
  if (existsSync(binary)) return binary;
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  if (statSync(dir).uid !== process.getuid?.()) throw new Error(`${dir} is not ours`);
  const tmp = `${binary}.${process.pid}.tmp`;
  execFileSync('gcc', ['-O2', '-Wall', '-Wextra', '-o', tmp, TIMER_SOURCE]);
  chmodSync(tmp, 0o755);
  renameSync(tmp, binary);
  return binary;
}

export interface Run {
  ms: number;
  maxRssKb: number;
  status: number;
}

/** Runs argv `runs` times, one after the other; stdout and stderr go to /dev/null. */
export async function timeCommand(timer: string, runs: number, argv: string[]): Promise<Run[]> {
  const { stdout } = await execFileAsync(timer, [String(runs), ...argv], {
    maxBuffer: 1 << 20,
    env: { ...process.env, LC_ALL: 'C' },
  });
  return stdout
    .trim()
    .split('\n')
    .map((line) => {
      const [ns, rss, status] = line.split(' ').map(Number);
      return { ms: ns! / 1e6, maxRssKb: rss!, status: status! };
    });
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function fmtMs(ms: number): string {
  if (!Number.isFinite(ms)) return '-';
  return ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2);
}

export function fmtRatio(r: number): string {
  return Number.isFinite(r) ? `${r.toFixed(2)}×` : '-';
}
