/**
 * What the store and its consumers say to each other: the state it publishes (SessionUpdate)
 * and the intents a consumer steers it with. Types only: the UI imports nothing else from the
 * store (lint-enforced), and the output renderers take these as their input.
 */
import type { PageEvent, SnapshotChanges } from '../model/changes.js';
import type { Library } from '../model/libraries.js';
import type { SharerIndex } from '../model/sharers.js';
import type { SharingReport } from '../model/sharing-report.js';
import type { SamplerCost } from '../model/sampler-cost.js';
import type { Snapshot } from '../model/types.js';

/**
 * What a consumer asks of the store: which process and mapping it shows, how often it wants
 * samples, whether to freeze, and which derived data its screen needs (who shares what, the
 * libraries), which the store computes only while asked. The UI's only way up.
 */
export type SessionIntent =
  | { type: 'focus-process'; pid: number | undefined }
  | { type: 'focus-mapping'; start: number | undefined }
  | { type: 'interval'; intervalMs: number }
  | { type: 'pause'; paused: boolean }
  /** Who shares what with this process (undefined: no screen needs it). */
  | { type: 'sharers'; pid: number | undefined }
  | { type: 'libraries'; wanted: boolean }
  /** The processes whose rows are on screen, in drawn order: read more often within a budget. */
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

/** The page events of one comparison of two full samples, largest first. */
export interface PageEventBatch {
  /** Time of the later sample (ms since the epoch). */
  timeMs: number;
  /** The interval the comparison spans (ms). */
  intervalMs: number;
  events: readonly PageEvent[];
}

/** The store's ring of page events, as published: immutable, a new object when it changes. */
export interface PageEventLog {
  /** The comparisons kept, oldest first; the oldest events are dropped past the ring's size. */
  batches: readonly PageEventBatch[];
  /**
   * The comparison behind `SessionUpdate.changes`, without the processes sampled alone since
   * (undefined exactly when `changes` is).
   */
  latest: PageEventBatch | undefined;
}

/**
 * What the store publishes: the latest snapshot, progress while the first is read, the page
 * changes behind it, the page events, and the derived data a screen asked for.
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
  /** The page events of recent comparisons (see PageEventLog). */
  events?: PageEventLog;
  /** Who maps each shared page, over the last full sample (needs PFNs; while asked for). */
  sharers?: SharerIndex;
  /** Whom the process asked about shares the most with, over the same sample. */
  sharing?: SharingReport;
  /** One row per mapped file over the last full sample, while asked for. */
  libraries?: LibrariesReport;
  /** What sampling costs. */
  cost?: SamplerCost;
}

/** The store as a consumer sees it: a feed of updates. */
export interface SessionFeed {
  current(): SessionUpdate;
  subscribe(listener: (update: SessionUpdate) => void): () => void;
}
