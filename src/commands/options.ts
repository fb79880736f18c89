import { availableParallelism } from 'node:os';
import { UsageError } from '../errors.js';
import { SORT_KEYS, type SortKey } from '../model/sort.js';
import type { PrefaultMode } from '../sampler/prefault.js';
import type { SamplerOptions } from '../sampler/sampler.js';

/** Options every command shares. */
export interface GlobalArgs {
  procRoot: string;
  unprivileged: boolean;
  includeSelf: boolean;
  prefault: PrefaultMode;
}

export function samplerOptions(args: GlobalArgs): SamplerOptions {
  return {
    procRoot: args.procRoot,
    unprivileged: args.unprivileged,
    includeSelf: args.includeSelf,
    prefault: args.prefault,
  };
}

/** A process id as typed: digits, at least 1 (pids are below 2^22 on Linux). */
function pidOf(text: string): number | undefined {
  const trimmed = text.trim();
  const pid = Number(trimmed);
  return /^\d{1,10}$/.test(trimmed) && pid >= 1 ? pid : undefined;
}

/** "12,34" → [12, 34], with a precise message for anything else. */
export function parsePidList(
  value: string | number | (string | number)[] | undefined,
): number[] | undefined {
  if (value === undefined) return undefined;
  const parts = (Array.isArray(value) ? value : [value]).flatMap((v) => String(v).split(','));
  return parts.map((part) => {
    const pid = pidOf(part);
    if (pid === undefined)
      throw new UsageError(`-p expects process ids like 123,456; got "${part}"`);
    return pid;
  });
}

/** The PID argument of a command (`pagemaps PID`), with a message that names the command. */
export function parsePid(value: unknown, command: string): number {
  const pid = value === undefined ? undefined : pidOf(String(value));
  if (pid === undefined)
    throw new UsageError(`${command} expects a process id like 1234; got "${String(value)}"`);
  return pid;
}

/** The values of --prefault, as its help lists them. */
export const PREFAULT_MODES = ['libs', 'all', 'none'] as const satisfies readonly PrefaultMode[];

/** --prefault: what memtop faults in of its own pages before sampling. */
export function parsePrefault(value: unknown): PrefaultMode {
  if ((PREFAULT_MODES as readonly unknown[]).includes(value)) return value as PrefaultMode;
  throw new UsageError(
    `--prefault expects one of ${PREFAULT_MODES.join(', ')}; got "${String(value)}"`,
  );
}

export function parseSortKey(value: string): SortKey {
  if ((SORT_KEYS as readonly string[]).includes(value)) return value as SortKey;
  throw new UsageError(`--sort expects one of ${SORT_KEYS.join(', ')}; got "${value}"`);
}

/**
 * A numeric option as yargs parsed it: a number where the text looked like one, the text as
 * typed otherwise ("010", "+2", "ten": the options have no yargs type, which would turn any
 * text into NaN), so that an error quotes what the user typed.
 */
function numberOf(value: unknown): number {
  if (typeof value === 'number') return value;
  const text = String(value).trim();
  return text === '' ? Number.NaN : Number(text);
}

/** Seconds (may be fractional, like top's -d) to milliseconds. */
export function parseIntervalMs(value: unknown): number {
  const seconds = numberOf(value);
  if (!Number.isFinite(seconds) || seconds < 0.1 || seconds > 3600) {
    throw new UsageError(`-d expects seconds between 0.1 and 3600; got "${String(value)}"`);
  }
  return Math.round(seconds * 1000);
}

export function parseCount(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  const count = numberOf(value);
  if (!Number.isInteger(count) || count < 1)
    throw new UsageError(`${name} expects a whole number ≥ 1; got "${String(value)}"`);
  return count;
}

/** Default CPU budget of the sampler in the interactive view and batch mode, percent of one core. */
export const DEFAULT_BUDGET_PERCENT = 10;

/**
 * --budget: percent of one core (above 0, at most 100 per CPU: "10", "2.5"), or "off" for every
 * process’s pages in every sample. Returns undefined for off.
 */
export function parseBudget(
  value: string | number | undefined,
  cpus: number = availableParallelism(),
): number | undefined {
  if (value === undefined) return DEFAULT_BUDGET_PERCENT;
  const text = String(value).trim().replace(/%$/, '');
  if (text === 'off') return undefined;
  const percent = Number(text);
  if (text === '' || !Number.isFinite(percent) || percent <= 0) {
    throw new UsageError(
      `--budget expects a percentage of one core above 0 (like 10 or 2.5), or off; got "${value}"`,
    );
  }
  const most = 100 * cpus;
  if (percent > most) {
    throw new UsageError(
      `--budget expects at most ${most} (100 per CPU, ${cpus} CPU${cpus === 1 ? '' : 's'}), or off; got "${value}"`,
    );
  }
  return percent;
}
