import { computeLibraries } from '../model/libraries.js';
import { buildSharerIndex, type SharerIndex } from '../model/sharers.js';
import { computeSharingReport, type SharingReport } from '../model/sharing-report.js';
import type { Snapshot } from '../model/types.js';
import type { LibrariesReport } from './contract.js';
import type { FullSample } from './full-sample.js';

/**
 * Data derived from the last full sample that only some screens need: who shares which page
 * (an index over every shared page) and the libraries. Each is computed only while a screen
 * asks for it, at most once per full sample, and dropped when no screen needs it any more.
 * The index costs about as much as a sample on a busy system, so it is rebuilt only once it is
 * `indexMaxAgeMs` old.
 */
export class DerivedData {
  /** Whose sharing a screen shows; undefined: none. */
  sharersPid: number | undefined;
  librariesWanted = false;
  /** How old the who-shares index may get before a newer full sample replaces it (ms). */
  indexMaxAgeMs = 0;
  private index: { from: Snapshot; builtAtMs: number; index: SharerIndex } | undefined;
  private report: SharingReport | undefined;
  private reportFor: { index: SharerIndex; pid: number } | undefined;
  private libraries: { from: Snapshot; report: LibrariesReport } | undefined;

  published(): { sharers?: SharerIndex; sharing?: SharingReport; libraries?: LibrariesReport } {
    return {
      sharers: this.index?.index,
      sharing: this.report,
      libraries: this.libraries?.report,
    };
  }

  /** Whether refresh() has work to do for this full sample at `nowMs`. */
  isStale(full: FullSample | undefined, nowMs: number): boolean {
    if (this.sharersPid === undefined ? this.index : this.needsIndex(full, nowMs)) return true;
    if (this.sharersPid !== undefined && this.index) {
      const r = this.reportFor;
      if (!r || r.index !== this.index.index || r.pid !== this.sharersPid) return true;
    }
    if (!this.librariesWanted) return this.libraries !== undefined;
    return full !== undefined && full.hasMappings && this.libraries?.from !== full.snapshot;
  }

  /** Computes what is wanted and stale, drops what is not wanted; true when anything changed. */
  refresh(full: FullSample | undefined, nowMs: number): boolean {
    if (!this.isStale(full, nowMs)) return false;
    const pid = this.sharersPid;
    if (pid === undefined) {
      this.index = undefined;
      this.report = undefined;
      this.reportFor = undefined;
    } else if (full && this.needsIndex(full, nowMs)) {
      const index = buildSharerIndex(full.snapshot.processes);
      this.index = { from: full.snapshot, builtAtMs: nowMs, index };
    }
    if (pid !== undefined && this.index && full) {
      const r = this.reportFor;
      if (!r || r.index !== this.index.index || r.pid !== pid) {
        const { index, from } = this.index;
        this.report = computeSharingReport(index, from.timeMs, pid, from.pageSize);
        this.reportFor = { index, pid };
      }
    }
    if (!this.librariesWanted) this.libraries = undefined;
    else if (full?.hasMappings && this.libraries?.from !== full.snapshot) {
      const libraries = computeLibraries(full.snapshot.processes);
      this.libraries = {
        from: full.snapshot,
        report: { timeMs: full.snapshot.timeMs, libraries },
      };
    }
    return true;
  }

  private needsIndex(full: FullSample | undefined, nowMs: number): boolean {
    if (!full?.hasPages) return false;
    const built = this.index;
    return (
      !built || (built.from !== full.snapshot && nowMs - built.builtAtMs >= this.indexMaxAgeMs)
    );
  }
}
