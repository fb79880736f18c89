import { NoSuchProcessError } from '../errors.js';
import { sortProcesses, type SortKey } from '../model/sort.js';
import type { ProcessSample, Snapshot } from '../model/types.js';
import type { Sampler } from '../sampler/sampler.js';
import { formatCsv } from '../ui/format/csv.js';
import { snapshotToJson } from '../ui/format/json.js';
import { formatJson } from '../ui/format/json-text.js';
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

/** Fails with a one-line error when a requested pid is not a listed process. */
export function checkPids(sampler: Sampler, pids: readonly number[] | undefined): void {
  for (const pid of pids ?? []) if (!sampler.processExists(pid)) throw new NoSuchProcessError(pid);
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
  checkPids(sampler, args.pids);
  const snapshot = sampler.sample({ pids: args.pids, mappings: args.mappings });
  const processes = selectProcesses(snapshot, args.sort, args.limit);
  switch (args.format) {
    case 'json':
      return formatJson(snapshotToJson(snapshot, processes, { mappings: args.mappings })) + '\n';
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
