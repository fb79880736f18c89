import type { SnapshotChanges } from '../model/changes.js';
import type { Library } from '../model/libraries.js';
import type { SharerIndex } from '../model/sharers.js';
import type { SharingReport } from '../model/sharing-report.js';
import type { SamplerCost } from '../model/sampler-cost.js';
import type { Snapshot } from '../model/types.js';

/**
 * What the UI asks of the sampling session. The UI never samples: it says which process and
 * mapping it shows, how often it wants samples, whether to freeze, and which derived data its
 * screen needs (who shares what, the libraries), which the session computes only while asked.
 */
export type SessionIntent =
  | { type: 'focus-process'; pid: number | undefined }
  | { type: 'focus-mapping'; start: number | undefined }
  | { type: 'interval'; intervalMs: number }
  | { type: 'pause'; paused: boolean }
  /** Who shares what with this process (undefined: no screen needs it). */
  | { type: 'sharers'; pid: number | undefined }
  | { type: 'libraries'; wanted: boolean }
  /** The processes whose rows are on screen, in drawn order: read in every sample. */
  | { type: 'rows'; pids: readonly number[] };

/** A first sample under way: processes read so far out of all. */
export interface SampleProgress {
  done: number;
  total: number;
}

/** The sampler's own cost, for the header (a plain record the renderers share). */
export type { SamplerCost } from '../model/sampler-cost.js';

/** The libraries of one full sample. */
export interface LibrariesReport {
  /** Time of the sample (ms since the epoch). */
  timeMs: number;
  libraries: Library[];
}

/**
 * What the session publishes: the latest snapshot, progress while the first is read, the page
 * changes behind it, and the derived data a screen asked for.
 */
export interface SessionUpdate {
  snapshot?: Snapshot;
  progress?: SampleProgress;
  /**
   * Page changes between the last two full samples, for the processes whose sample in
   * `snapshot` is from the last of them (a process sampled alone since has no entry here).
   */
  changes?: SnapshotChanges;
  /** Page changes of the focused process, since its sample before the one in `snapshot`. */
  focusChanges?: SnapshotChanges;
  /** Who maps each shared page, over the last full sample (needs PFNs; while asked for). */
  sharers?: SharerIndex;
  /** Whom the process asked about shares the most with, over the same sample. */
  sharing?: SharingReport;
  /** One row per mapped file over the last full sample, while asked for. */
  libraries?: LibrariesReport;
  /** What sampling costs. */
  cost?: SamplerCost;
}

/** The session as the UI sees it: a feed of updates. */
export interface SessionFeed {
  current(): SessionUpdate;
  subscribe(listener: (update: SessionUpdate) => void): () => void;
}
