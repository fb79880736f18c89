import { setTimeout as sleep } from 'node:timers/promises';
import type { SortKey } from '../model/sort.js';
import type { Sampler } from '../sampler/sampler.js';
import { snapshotToJson } from '../ui/format/json.js';
import { formatTable } from '../ui/format/table.js';
import { selectProcesses } from './snapshot.js';

export interface BatchArgs {
  /** Frames to print; undefined: until interrupted, like top -b. */
  iterations?: number;
  intervalMs: number;
  json: boolean;
  pids?: number[];
  sort: SortKey;
  limit?: number;
  write: (text: string) => void;
  signal?: AbortSignal;
}

/**
 * top -b: a frame per sample. The sampler sleeps after each sample, so samples never overlap
 * however long one takes.
 */
export async function runBatch(sampler: Sampler, args: BatchArgs): Promise<void> {
  for (let frame = 0; args.iterations === undefined || frame < args.iterations; frame++) {
    if (frame > 0) {
      try {
        await sleep(args.intervalMs, undefined, { signal: args.signal });
      } catch {
        return; // interrupted
      }
    }
    const snapshot = sampler.sample({ pids: args.pids });
    const processes = selectProcesses(snapshot, args.sort, args.limit);
    if (args.json) args.write(JSON.stringify(snapshotToJson(snapshot, processes)) + '\n');
    else
      args.write(
        (frame > 0 ? '\n' : '') + formatTable(snapshot, processes, { sortKey: args.sort }),
      );
  }
}
