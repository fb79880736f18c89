import { setTimeout as sleep } from 'node:timers/promises';
import { computeEvents, diffSnapshots, type SnapshotChanges } from '../model/changes.js';
import type { SortKey } from '../model/sort.js';
import type { Snapshot } from '../model/types.js';
import type { Sampler } from '../sampler/sampler.js';
import { formatEvents } from '../ui/format/events.js';
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

/** Lines of page events under each text frame. */
const EVENT_LINES = 8;

/**
 * top -b: a frame per sample. The sampler sleeps after each sample, so samples never overlap
 * however long one takes. From the second frame on, each process carries its page changes
 * since the previous sample (copy-on-write breaks, pages that became shared, ...).
 */
export async function runBatch(sampler: Sampler, args: BatchArgs): Promise<void> {
  let previous: Snapshot | undefined;
  for (let frame = 0; args.iterations === undefined || frame < args.iterations; frame++) {
    if (frame > 0) {
      try {
        await sleep(args.intervalMs, undefined, { signal: args.signal });
      } catch {
        return; // interrupted
      }
    }
    const snapshot = sampler.sample({ pids: args.pids, mappings: true, pages: true });
    const changes: SnapshotChanges | undefined = previous && diffSnapshots(previous, snapshot);
    previous = snapshot;
    const processes = selectProcesses(snapshot, args.sort, args.limit);
    if (args.json) {
      args.write(JSON.stringify(snapshotToJson(snapshot, processes, { changes })) + '\n');
      continue;
    }
    let text = (frame > 0 ? '\n' : '') + formatTable(snapshot, processes, { sortKey: args.sort });
    if (changes) {
      const events = computeEvents(changes, snapshot.processes, EVENT_LINES);
      text += '\n' + formatEvents(events, snapshot.pageSize, changes.intervalMs).join('\n') + '\n';
    }
    args.write(text);
  }
}
