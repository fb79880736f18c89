import type { SortKey } from '../model/sort.js';
import type { Snapshot } from '../model/types.js';
import type { Sampler } from '../sampler/sampler.js';
import { formatSnapshotJson } from '../output/json.js';
import { formatTextFrame } from '../output/table.js';
import type { SessionUpdate } from '../store/contract.js';
import { SampleStore } from '../store/store.js';
import { selectProcesses } from './snapshot.js';

export interface BatchArgs {
  /** Frames to print; undefined: until interrupted, like top -b. */
  iterations?: number;
  intervalMs: number;
  json: boolean;
  pids?: number[];
  sort: SortKey;
  limit?: number;
  /** CPU budget, percent of one core (see StoreOptions.budgetPercent); undefined: none. */
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
 * top -b: a frame per sample of the store, which sleeps after each sample, so samples never
 * overlap however long one takes. From the second frame on, each process carries its page
 * changes since the previous sample (copy-on-write breaks, pages that became shared, ...).
 *
 * Within a CPU budget each frame reads the pages of as many processes as the budget allows,
 * oldest data first, the first processes of the sort (the --limit, or 20) more often; the
 * rest carry their last read, with its time, and no page changes.
 */
export async function runBatch(sampler: Sampler, args: BatchArgs): Promise<void> {
  if (args.iterations === 0 || args.signal?.aborted) return;
  const store = new SampleStore(sampler, {
    intervalMs: args.intervalMs,
    // A thread's id stands for its process.
    pids: args.pids && sampler.resolvePids(args.pids),
    budgetPercent: args.budgetPercent,
    // One sample at a time, on this thread: nothing else runs meanwhile.
    chunk: Infinity,
    keepPages: true,
    keepMappings: true,
    trackPagesLimit: Infinity,
  });
  let frame = 0;
  let shown: Snapshot | undefined;
  store.subscribe((update) => {
    const snapshot = update.snapshot;
    if (!snapshot || snapshot === shown) return;
    shown = snapshot;
    if (frame === 0) args.checkFirst?.(snapshot);
    args.write(renderFrame(update, snapshot, frame, args));
    frame++;
    if (args.iterations !== undefined && frame >= args.iterations) return store.stop();
    const first = selectProcesses(snapshot, args.sort, args.limit ?? PREFERRED_PROCESSES);
    store.send({ type: 'rows', pids: first.map((p) => p.pid) });
  });
  const interrupted = () => store.stop();
  args.signal?.addEventListener('abort', interrupted);
  try {
    await store.run();
  } finally {
    args.signal?.removeEventListener('abort', interrupted);
  }
}

/** One frame: a JSON line, or the text table with the page events under it. */
function renderFrame(
  update: SessionUpdate,
  snapshot: Snapshot,
  frame: number,
  args: BatchArgs,
): string {
  const { changes, cost } = update;
  const processes = selectProcesses(snapshot, args.sort, args.limit);
  if (args.json) return formatSnapshotJson(snapshot, processes, { changes, cost });
  const latest = update.events?.latest;
  const events =
    changes && latest
      ? { events: latest.events.slice(0, EVENT_LINES), intervalMs: latest.intervalMs }
      : undefined;
  return formatTextFrame(snapshot, processes, {
    sortKey: args.sort,
    cost,
    isFirst: frame === 0,
    events,
  });
}
