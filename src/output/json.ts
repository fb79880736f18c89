import { COUNTERS, COUNTER_NAMES, type CounterName } from '../model/counter-table.js';
import { pssBytes } from '../model/counters.js';
import { changeIntervalMs, changesOf, type SnapshotChanges } from '../model/changes.js';
import type { Counters, Mapping, ProcessSample, Snapshot } from '../model/types.js';
import type { SamplerCost } from '../model/sampler-cost.js';
import { formatJson } from '../format/json-text.js';
import { withEnvelope } from './envelope.js';
import { formatHex } from '../format/size.js';

/** Unknown counters are null in JSON, never 0. */
const known = (n: number): number | null => (Number.isNaN(n) ? null : n);

/** The counters of a process or mapping in JSON: one field per counter of the table, in bytes. */
export type JsonCounters = { [N in CounterName]: number | null };

export function countersToJson(c: Counters): JsonCounters {
  const out: Partial<JsonCounters> = {};
  for (let i = 0; i < COUNTERS.length; i++) out[COUNTER_NAMES[i]!] = known(COUNTERS[i]!.value(c));
  return out as JsonCounters;
}

function mappingToJson(m: Mapping) {
  return {
    start: formatHex(m.start),
    end: formatHex(m.end),
    perms: m.perms,
    offset: formatHex(m.offset),
    dev: m.dev,
    inode: m.inode,
    path: m.path,
    ...countersToJson(m.counters),
  };
}

export interface JsonOptions {
  /** Include each process's mappings (when sampled). */
  mappings?: boolean;
  /** Page changes since the previous sample, per process. */
  changes?: SnapshotChanges;
  /** The sampler's cost and budget (batch frames). */
  cost?: SamplerCost;
}

const round1 = (n: number) => Math.round(n * 10) / 10;

/** When the process's pages were read: null when never (a sample within a budget). */
function sampledAt(p: ProcessSample, snapshot: Snapshot) {
  const atMs = p.scannedAtMs ?? snapshot.timeMs;
  if (Number.isNaN(atMs)) return { sampledAt: null, ageMs: null };
  return { sampledAt: new Date(atMs).toISOString(), ageMs: snapshot.timeMs - atMs };
}

function processToJson(p: ProcessSample, snapshot: Snapshot, { changes, mappings }: JsonOptions) {
  const changed = changesOf(changes, p);
  return {
    pid: p.pid,
    ppid: p.ppid,
    startTime: p.startTime,
    user: p.user,
    uid: p.uid,
    comm: p.comm,
    cmdline: p.cmdline,
    ...countersToJson(p.totals),
    restricted: p.access === 'restricted',
    access: p.access,
    ...sampledAt(p, snapshot),
    ...(changed
      ? { changes: changed.totals, changesIntervalMs: changeIntervalMs(changes!, changed) }
      : {}),
    ...(mappings && p.mappings ? { mappings: p.mappings.map(mappingToJson) } : {}),
  };
}

/**
 * The `snapshot --json` document, and a batch frame's (schema in docs/JSON.md): the envelope,
 * then the sample. Sizes in bytes.
 */
export function snapshotToJson(
  snapshot: Snapshot,
  processes: readonly ProcessSample[],
  options: JsonOptions = {},
) {
  const t = snapshot.totals;
  return withEnvelope(snapshot, {
    pageSize: snapshot.pageSize,
    sampleMs: round1(snapshot.costMs),
    ...(snapshot.cpuMs === undefined ? {} : { sampleCpuMs: round1(snapshot.cpuMs) }),
    ...(options.cost
      ? {
          budgetPercent: options.cost.budgetPercent ?? null,
          averageCpuPercent:
            options.cost.averagePercent === undefined ? null : round1(options.cost.averagePercent),
          processesRead: options.cost.scanned,
        }
      : {}),
    notices: snapshot.notices,
    totals: {
      memTotal: known(t.memTotalBytes),
      memAvailable: known(t.memAvailableBytes),
      rss: t.rssBytes,
      pss: pssBytes(t),
      sharingSaves: t.sharingSavesBytes,
      swapTotal: t.swapTotalBytes,
      swapFree: t.swapFreeBytes,
      processes: snapshot.processes.length,
      restrictedProcesses: t.restrictedProcesses,
    },
    ...(options.changes ? { intervalMs: options.changes.intervalMs } : {}),
    processes: processes.map((p) => processToJson(p, snapshot, options)),
  });
}

/** The same document as memtop writes it: one line of JSON and a newline. */
export function formatSnapshotJson(
  snapshot: Snapshot,
  processes: readonly ProcessSample[],
  options: JsonOptions = {},
): string {
  return formatJson(snapshotToJson(snapshot, processes, options)) + '\n';
}
