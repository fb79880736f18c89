import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { computeEvents, diffSnapshots, type SnapshotChanges } from '../model/changes.js';
import { carryScans } from '../model/merge.js';
import type { SortKey } from '../model/sort.js';
import type { Snapshot } from '../model/types.js';
import type { Sampler } from '../sampler/sampler.js';
import { formatSnapshotJson } from '../output/json.js';
import { formatTextFrame } from '../output/table.js';
import { ScanBudget } from './scan-budget.js';
import { selectProcesses } from './snapshot.js';

export interface BatchArgs {
  /** Frames to print; undefined: until interrupted, like top -b. */
  iterations?: number;
  intervalMs: number;
  json: boolean;
  pids?: number[];
  sort: SortKey;
  limit?: number;
  /** CPU budget, percent of one core (see SessionOptions.budgetPercent); undefined: none. */
  budgetPercent?: number;
  write: (text: string) => void;
  signal?: AbortSignal;
  /** Sees the first sample before it is written; may throw to end batch mode with an error. */
  checkFirst?: (snapshot: Snapshot) => void;
}

/** Lines of page events under each text frame. */
const EVENT_LINES = 8;
/** Processes read more often within a budget, from the top of the sort, without --limit. */
const PREFERRED_PROCESSES = 20;

/**
 * top -b: a frame per sample. The sampler sleeps after each sample, so samples never overlap
 * however long one takes. From the second frame on, each process carries its page changes
 * since the previous sample (copy-on-write breaks, pages that became shared, ...).
 *
 * Within a CPU budget each frame reads the pages of as many processes as the budget allows,
 * oldest data first, the first processes of the sort (the --limit, or 20) more often; the
 * rest carry their last read, with its time, and no page changes.
 */
export async function runBatch(sampler: Sampler, args: BatchArgs): Promise<void> {
  let previous: Snapshot | undefined;
  // A thread's id stands for its process.
  const requested = args.pids && sampler.resolvePids(args.pids);
  const budget = new ScanBudget(sampler.privileged ? args.budgetPercent : undefined, () =>
    performance.now(),
  );
  for (let frame = 0; args.iterations === undefined || frame < args.iterations; frame++) {
    if (frame > 0) {
      try {
        await sleep(args.intervalMs, undefined, { signal: args.signal });
      } catch {
        return; // interrupted
      }
    }
    const first =
      previous && selectProcesses(previous, args.sort, args.limit ?? PREFERRED_PROCESSES);
    const preferred = (first ?? []).map((p) => p.pid);
    const pids = requested ?? sampler.listPids();
    const statusOnly = budget.plan(previous, pids, { preferred }, args.intervalMs);
    const read = sampler.sample({
      pids,
      mappings: true,
      pages: true,
      ...(statusOnly?.length ? { statusOnlyPids: statusOnly } : {}),
    });
    budget.record(read);
    if (frame === 0) args.checkFirst?.(read);
    const snapshot = carryScans(read, previous);
    const changes: SnapshotChanges | undefined = previous && diffSnapshots(previous, snapshot);
    previous = snapshot;
    const processes = selectProcesses(snapshot, args.sort, args.limit);
    if (args.json) {
      args.write(formatSnapshotJson(snapshot, processes, { changes, cost: budget.cost() }));
      continue;
    }
    const events = changes && {
      events: computeEvents(changes, snapshot.processes, EVENT_LINES),
      intervalMs: changes.intervalMs,
    };
    const options = { sortKey: args.sort, cost: budget.cost(), isFirst: frame === 0, events };
    args.write(formatTextFrame(snapshot, processes, options));
  }
}
