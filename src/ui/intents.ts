import type { Snapshot } from '../model/types.js';

/**
 * What the UI asks of the sampling session. The UI never samples: it says which process and
 * mapping it shows, how often it wants samples, and whether to freeze.
 */
export type SessionIntent =
  | { type: 'focus-process'; pid: number | undefined }
  | { type: 'focus-mapping'; start: number | undefined }
  | { type: 'interval'; intervalMs: number }
  | { type: 'pause'; paused: boolean };

/** A first sample under way: processes read so far out of all. */
export interface SampleProgress {
  done: number;
  total: number;
}

/** What the session publishes: the latest snapshot, and progress while the first is read. */
export interface SessionUpdate {
  snapshot?: Snapshot;
  progress?: SampleProgress;
}

/** The session as the UI sees it: a feed of updates. */
export interface SessionFeed {
  current(): SessionUpdate;
  subscribe(listener: (update: SessionUpdate) => void): () => void;
}
