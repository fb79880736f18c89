// Reads the kernel's own accounting for comparison: /proc/PID/smaps_rollup and smaps.
import { readFileSync } from 'node:fs';
import { pssBytes } from '../../src/model/counters.js';
import type { Counters } from '../../src/model/types.js';

export const ROLLUP_FIELDS = [
  'Rss',
  'Pss',
  'Shared_Clean',
  'Shared_Dirty',
  'Private_Clean',
  'Private_Dirty',
  'Swap',
  'Anonymous',
] as const;
export type RollupField = (typeof ROLLUP_FIELDS)[number];

/** smaps_rollup fields in kB. */
export function readRollup(pid: number): Record<string, number> {
  const text = readFileSync(`/proc/${pid}/smaps_rollup`, 'latin1');
  return Object.fromEntries(
    [...text.matchAll(/^(\w+):\s+(\d+) kB$/gm)].map((m) => [m[1]!, Number(m[2])]),
  );
}

/** smaps fields in kB of the mapping that starts at `start`. */
export function readSmapsMapping(pid: number, start: number): Record<string, number> {
  const text = readFileSync(`/proc/${pid}/smaps`, 'latin1');
  const head = `${start.toString(16)}-`;
  const at = text.split('\n').findIndex((l) => l.startsWith(head));
  if (at < 0) throw new Error(`no mapping at 0x${start.toString(16)} in ${pid}`);
  const fields: Record<string, number> = {};
  for (const line of text.split('\n').slice(at + 1)) {
    const m = /^(\w+):\s+(\d+) kB$/.exec(line);
    if (!m) {
      if (/^[0-9a-f]+-/.test(line)) break;
      continue;
    }
    fields[m[1]!] = Number(m[2]);
  }
  return fields;
}

/** memtop's counters in smaps_rollup's units (kB), PSS rounded down as the kernel rounds it. */
export function asRollup(c: Counters): Record<string, number> {
  const kb = (b: number) => b / 1024;
  return {
    Rss: kb(c.rssBytes),
    Pss: Math.floor(pssBytes(c) / 1024),
    Shared_Clean: kb(c.sharedCleanBytes),
    Shared_Dirty: kb(c.sharedDirtyBytes),
    Private_Clean: kb(c.privateCleanBytes),
    Private_Dirty: kb(c.privateDirtyBytes),
    Swap: kb(c.swapBytes),
    Anonymous: kb(c.anonBytes),
  };
}
