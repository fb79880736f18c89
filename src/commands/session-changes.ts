import { diffSnapshots, scanTimeOf, type SnapshotChanges } from '../model/changes.js';
import { processKey } from '../model/delta.js';
import { replaceProcess } from '../model/merge.js';
import type { ProcessSample, Snapshot } from '../model/types.js';

/** One process's sample and when it was taken. */
interface TimedSample {
  timeMs: number;
  process: ProcessSample;
}

/**
 * Page changes between consecutive samples of the same scope: a full sample against the full
 * sample before it, the focused process against its own sample before. It holds no more than
 * that needs: the last full sample and the focused process's last sample (which the published
 * snapshot shares), never a history.
 */
export class SessionChanges {
  private lastFull: Snapshot | undefined;
  /** Whether the last full sample kept every process's pages (so the next one can be compared). */
  private lastFullHasPages = false;
  private fullChanges: SnapshotChanges | undefined;
  private focusChanges: SnapshotChanges | undefined;
  private focusPrevious: TimedSample | undefined;
  /** Keys of processes sampled alone since the last full sample: its changes no longer fit them. */
  private readonly replaced = new Set<string>();
  private visible: SnapshotChanges | undefined;

  /** What goes out with the snapshot last accepted. */
  published(): { changes?: SnapshotChanges; focusChanges?: SnapshotChanges } {
    return { changes: this.visible, focusChanges: this.focusChanges };
  }

  /**
   * A full sample. `hasPages`: every process's pages were kept. `focusPid`: the process on
   * screen, whose changes are also taken against its own last sample.
   */
  acceptFull(snapshot: Snapshot, hasPages: boolean, focusPid: number | undefined): void {
    this.focusChanges = undefined;
    const focused =
      focusPid === undefined ? undefined : snapshot.processes.find((p) => p.pid === focusPid);
    if (focused) this.focusChanges = this.compare(focused, snapshot);
    this.focusPrevious = focused ? { timeMs: snapshot.timeMs, process: focused } : undefined;
    const before = this.lastFull;
    this.fullChanges =
      hasPages && this.lastFullHasPages && before ? diffSnapshots(before, snapshot) : undefined;
    this.lastFull = snapshot;
    this.lastFullHasPages = hasPages;
    this.replaced.clear();
    this.visible = this.fullChanges;
  }

  /** A sample of one process alone: returns `base` with it merged in. */
  acceptFocused(base: Snapshot, pid: number, fresh: Snapshot): Snapshot {
    const p = fresh.processes.find((q) => q.pid === pid);
    this.focusChanges = p ? this.compare(p, fresh) : undefined;
    this.focusPrevious = p ? { timeMs: fresh.timeMs, process: p } : undefined;
    for (const q of base.processes) if (q.pid === pid) this.replaced.add(processKey(q));
    if (p) this.replaced.add(processKey(p));
    const changes = this.fullChanges;
    if (changes) {
      const processes = new Map(changes.processes);
      for (const key of this.replaced) processes.delete(key);
      this.visible = { intervalMs: changes.intervalMs, processes };
    }
    return replaceProcess(base, pid, fresh);
  }

  /** The process's changes since its last sample, when that sample is known and timed. */
  private compare(p: ProcessSample, now: Snapshot): SnapshotChanges | undefined {
    const before = this.previousOf(p.pid);
    if (!before) return undefined;
    return diffSnapshots(
      { timeMs: before.timeMs, processes: [before.process] },
      { timeMs: now.timeMs, pageSize: now.pageSize, processes: [p] },
    );
  }

  private previousOf(pid: number): TimedSample | undefined {
    if (this.focusPrevious?.process.pid === pid) return this.focusPrevious;
    const full = this.lastFull;
    const p = full?.processes.find((q) => q.pid === pid);
    if (!full || !p || this.replaced.has(processKey(p))) return undefined;
    // A process carried over from an earlier read compares with that read, at its time.
    return { timeMs: scanTimeOf(p, full.timeMs), process: p };
  }
}
