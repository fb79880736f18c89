import { computeEvents, type SnapshotChanges } from '../model/changes.js';
import type { ProcessSample } from '../model/types.js';
import type { PageEventBatch, PageEventLog } from './contract.js';

/** Page events the ring holds at most, over all the comparisons it keeps. */
export const EVENT_RING_SIZE = 10_000;

/**
 * The one place page-change events are kept: each comparison of two full samples adds its
 * events, largest first (a comparison with more than the ring holds keeps its largest); the
 * oldest comparisons are dropped once the ring holds more than `size` events. The events pane,
 * the batch events log and, later, history and the recorder read it.
 */
export class EventRing {
  private batches: PageEventBatch[] = [];
  private count = 0;
  private view: PageEventLog = { batches: [], latest: undefined };

  constructor(private readonly size: number = EVENT_RING_SIZE) {}

  /** Adds the events of a comparison of two full samples (`processes`: the later one's). */
  add(changes: SnapshotChanges, timeMs: number, processes: readonly ProcessSample[]): void {
    const events = computeEvents(changes, processes, this.size);
    const batch: PageEventBatch = { timeMs, intervalMs: changes.intervalMs, events };
    this.batches.push(batch);
    this.count += events.length;
    while (this.count > this.size && this.batches.length > 1) {
      this.count -= this.batches.shift()!.events.length;
    }
    this.view = { batches: [...this.batches], latest: batch };
  }

  /** The newest comparison is no longer the one on show: none is (a full sample not compared). */
  clearLatest(): void {
    if (this.view.latest) this.view = { ...this.view, latest: undefined };
  }

  /**
   * The newest comparison is on show without these processes (sampled alone since: its events
   * no longer fit their rows); the ring itself keeps them.
   */
  withoutPids(pids: ReadonlySet<number>): void {
    const newest = this.batches.at(-1);
    if (!newest || !this.view.latest) return;
    const events = newest.events.filter((e) => !pids.has(e.pid));
    this.view = { ...this.view, latest: { ...newest, events } };
  }

  /** What is published: immutable, a new object whenever the ring or what is on show changes. */
  published(): PageEventLog {
    return this.view;
  }
}
