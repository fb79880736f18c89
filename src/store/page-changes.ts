import { diffSnapshots, scanTimeOf, type SnapshotChanges } from '../model/changes.js';
import { processKey } from '../model/delta.js';
import { replaceProcess } from '../model/merge.js';
import type { ProcessSample, Snapshot } from '../model/types.js';
import type { PageEventLog } from './contract.js';
import type { FullSample } from './full-sample.js';
import { EventRing } from './event-ring.js';

/** One process's sample and when it was taken. */
interface TimedSample {
  timeMs: number;
  process: ProcessSample;
}

/**
 * Page changes between consecutive samples of the same scope: a full sample against the full
 * sample before it, the focused process against its own sample before. The store holds the
 * last full sample and passes it in; this holds only the focused process's last sample (which
 * the published snapshot shares), never a history: the events of each comparison of full
 * samples go to the ring of events.
 */
export class ChangeTracker {
  private readonly events = new EventRing();
  private fullChanges: SnapshotChanges | undefined;
  private focusChanges: SnapshotChanges | undefined;
  private focusPrevious: TimedSample | undefined;
  /** Keys of processes sampled alone since the last full sample: its changes no longer fit them. */
  private readonly replaced = new Set<string>();
  /** Their pids, for the events on show. */
  private readonly replacedPids = new Set<number>();
  private visible: SnapshotChanges | undefined;

  /** What goes out with the snapshot last accepted. */
  published(): {
    changes?: SnapshotChanges;
    focusChanges?: SnapshotChanges;
    events: PageEventLog;
  } {
    return {
      changes: this.visible,
      focusChanges: this.focusChanges,
      events: this.events.published(),
    };
  }

  /**
   * A full sample, `next`, after `before` (the full sample before it). `focusPid`: the process
   * on screen, whose changes are also taken against its own last sample.
   */
  acceptFull(before: FullSample | undefined, next: FullSample, focusPid: number | undefined): void {
    const snapshot = next.snapshot;
    this.focusChanges = undefined;
    const focused =
      focusPid === undefined ? undefined : snapshot.processes.find((p) => p.pid === focusPid);
    if (focused) this.focusChanges = this.compare(before?.snapshot, focused, snapshot);
    this.focusPrevious = focused ? { timeMs: snapshot.timeMs, process: focused } : undefined;
    this.fullChanges =
      next.hasPages && before?.hasPages ? diffSnapshots(before.snapshot, snapshot) : undefined;
    this.replaced.clear();
    this.replacedPids.clear();
    this.visible = this.fullChanges;
    if (this.fullChanges) this.events.add(this.fullChanges, snapshot.timeMs, snapshot.processes);
    else this.events.clearLatest();
  }

  /**
   * A sample of one process alone, after the full sample `full`: returns `base` (the snapshot
   * published last) with it merged in.
   */
  acceptFocused(
    full: Snapshot | undefined,
    base: Snapshot,
    pid: number,
    fresh: Snapshot,
  ): Snapshot {
    const p = fresh.processes.find((q) => q.pid === pid);
    this.focusChanges = p ? this.compare(full, p, fresh) : undefined;
    this.focusPrevious = p ? { timeMs: fresh.timeMs, process: p } : undefined;
    for (const q of base.processes) if (q.pid === pid) this.replaced.add(processKey(q));
    if (p) this.replaced.add(processKey(p));
    this.replacedPids.add(pid);
    const changes = this.fullChanges;
    if (changes) {
      const processes = new Map(changes.processes);
      for (const key of this.replaced) processes.delete(key);
      this.visible = { intervalMs: changes.intervalMs, processes };
      this.events.withoutPids(this.replacedPids);
    }
    return replaceProcess(base, pid, fresh);
  }

  /** The process's changes since its last sample, when that sample is known and timed. */
  private compare(
    full: Snapshot | undefined,
    p: ProcessSample,
    now: Snapshot,
  ): SnapshotChanges | undefined {
    const before = this.previousOf(full, p.pid);
    if (!before) return undefined;
    return diffSnapshots(
      { timeMs: before.timeMs, processes: [before.process] },
      { timeMs: now.timeMs, pageSize: now.pageSize, processes: [p] },
    );
  }

  private previousOf(full: Snapshot | undefined, pid: number): TimedSample | undefined {
    if (this.focusPrevious?.process.pid === pid) return this.focusPrevious;
    const p = full?.processes.find((q) => q.pid === pid);
    if (!full || !p || this.replaced.has(processKey(p))) return undefined;
    // A process carried over from an earlier read compares with that read, at its time.
    return { timeMs: scanTimeOf(p, full.timeMs), process: p };
  }
}
