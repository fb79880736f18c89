import { NoSuchProcessError } from '../errors.js';
import { sortProcesses, type SortKey } from '../model/sort.js';
import type { ProcessSample, Snapshot } from '../model/types.js';
import type { Sampler } from '../sampler/sampler.js';
import { formatCsv } from '../ui/format/csv.js';
import { snapshotToJson } from '../ui/format/json.js';
import { formatTable } from '../ui/format/table.js';

export type OutputFormat = 'table' | 'json' | 'csv';

export interface SnapshotArgs {
  format: OutputFormat;
  pids?: number[];
  mappings: boolean;
  sort: SortKey;
  limit?: number;
  width?: number;
}

/**
 * The requested processes, a thread's id standing for its process (each once); fails with a
 * one-line error when one is not a listed process.
 */
export function checkPids(sampler: Sampler, pids: readonly number[]): number[];
export function checkPids(sampler: Sampler, pids?: readonly number[]): number[] | undefined;
export function checkPids(sampler: Sampler, pids?: readonly number[]): number[] | undefined {
  if (!pids) return undefined;
  const resolved = sampler.resolvePids(pids);
  for (const pid of resolved) if (!sampler.processExists(pid)) throw new NoSuchProcessError(pid);
  return resolved;
}

/** Sorted and limited processes, as every output shows them. */
export function selectProcesses(
  snapshot: Snapshot,
  sort: SortKey,
  limit?: number,
): ProcessSample[] {
  const sorted = sortProcesses(snapshot.processes, sort);
  return limit === undefined ? sorted : sorted.slice(0, limit);
}

/** One sample rendered in the chosen format. */
export function renderSnapshot(sampler: Sampler, args: SnapshotArgs): string {
  const pids = checkPids(sampler, args.pids);
  const snapshot = sampler.sample({ pids, mappings: args.mappings });
  const processes = selectProcesses(snapshot, args.sort, args.limit);
  switch (args.format) {
    case 'json':
      return (
        JSON.stringify(snapshotToJson(snapshot, processes, { mappings: args.mappings })) + '\n'
      );
    case 'csv':
      return formatCsv(processes, args.mappings);
    default:
      return formatTable(snapshot, processes, {
        sortKey: args.sort,
        mappings: args.mappings,
        width: args.width,
      });
  }
}
