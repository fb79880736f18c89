import { sortProcesses, type SortKey } from '../model/sort.js';
import type { ProcessSample, Snapshot } from '../model/types.js';
import type { Sampler } from '../sampler/sampler.js';
import { formatCsv } from '../output/csv.js';
import { formatSnapshotJson } from '../output/json.js';
import { formatTable } from '../output/table.js';
import { GivenPids } from './given-pids.js';

export type OutputFormat = 'table' | 'json' | 'csv';

export interface SnapshotArgs {
  format: OutputFormat;
  pids?: number[];
  mappings: boolean;
  sort: SortKey;
  limit?: number;
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

/**
 * Writes one sample in the chosen format. Pids given that name no process are named after it
 * (SomePidsMissingError); when none does, nothing is written (the pid's own error).
 */
export function runSnapshot(sampler: Sampler, args: SnapshotArgs, write: (text: string) => void) {
  const given = GivenPids.check(sampler, args.pids);
  const snapshot = sampler.sample({ pids: given.pids, mappings: args.mappings });
  given.settle(sampler, snapshot);
  write(renderSnapshot(snapshot, args));
  given.finish();
}

/** One sample rendered in the chosen format. */
export function renderSnapshot(snapshot: Snapshot, args: SnapshotArgs): string {
  const processes = selectProcesses(snapshot, args.sort, args.limit);
  switch (args.format) {
    case 'json':
      return formatSnapshotJson(snapshot, processes, { mappings: args.mappings });
    case 'csv':
      return formatCsv(processes, args.mappings);
    default:
      return formatTable(snapshot, processes, { sortKey: args.sort, mappings: args.mappings });
  }
}
