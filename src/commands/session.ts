import { performance } from 'node:perf_hooks';
import { mergeSnapshots, replaceProcess } from '../model/merge.js';
import type { Snapshot } from '../model/types.js';
import type { SampleRequest } from '../sampler/sampler.js';
import type { SessionFeed, SessionIntent, SessionUpdate } from '../ui/intents.js';

/** What the session samples from: the Sampler, or a fake in tests and benchmarks. */
export interface SampleSource {
  sample(request: SampleRequest): Snapshot;
  listPids(): number[];
}

export interface SessionOptions {
  intervalMs: number;
  /** Only these processes (memtop -p). */
  pids?: readonly number[];
  /** Processes per part of a full sample: keys are read between parts, progress shown in the first. */
  chunk?: number;
  /** Progress is published only once the first sample has taken this long (ms). */
  progressAfterMs?: number;
  now?: () => number;
}

/** Page map samples come at most this often, however short the interval (ms). */
const MIN_PAGE_MAP_INTERVAL_MS = 250;

/**
 * The sampling loop behind the TUI. It samples, publishes the snapshot, then sleeps: samples
 * never overlap however long one takes. A full sample is read in parts of a few dozen
 * processes, with the event loop let through in between, so that keys are answered while a
 * slow sample runs (and the first sample shows its progress). The UI steers the loop with
 * intents only: the process on screen (then only that process is read, with its mappings and
 * pages, and merged into the last full snapshot), the mapping on screen (its pages are read
 * twice per interval), the interval, and pause (no samples, except one of a newly focused
 * process).
 */
export class Session implements SessionFeed {
  private update: SessionUpdate = {};
  private readonly listeners = new Set<(update: SessionUpdate) => void>();
  private intervalMs: number;
  private paused = false;
  private focusPid: number | undefined;
  private focusMapping: number | undefined;
  /** Sample as soon as possible (what is on screen changed). */
  private due = false;
  private stopped = false;
  private lastEndMs = 0;
  private wake: (() => void) | undefined;
  private readonly now: () => number;

  constructor(
    private readonly source: SampleSource,
    private readonly options: SessionOptions,
  ) {
    this.intervalMs = options.intervalMs;
    this.now = options.now ?? (() => performance.now());
  }

  current(): SessionUpdate {
    return this.update;
  }

  subscribe(listener: (update: SessionUpdate) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** What the UI asks for; takes effect at once (a sleeping loop wakes up to reconsider). */
  send(intent: SessionIntent): void {
    switch (intent.type) {
      case 'focus-process':
        if (intent.pid === this.focusPid) return;
        this.focusPid = intent.pid;
        // A focused process needs its mappings now; back on the list, the list needs a full sample.
        this.due = intent.pid !== undefined || !this.paused;
        break;
      case 'focus-mapping':
        if (intent.start === this.focusMapping) return;
        this.focusMapping = intent.start;
        break;
      case 'interval':
        this.intervalMs = intent.intervalMs;
        break;
      case 'pause':
        this.paused = intent.paused;
        break;
    }
    this.wake?.();
  }

  /** Samples until stop(); rejects when a sample fails (the caller restores the terminal). */
  async run(): Promise<void> {
    const first = await this.sampleAll(true);
    if (!first) return;
    this.lastEndMs = this.now();
    this.publish({ snapshot: first });
    while (!this.stopped) {
      await this.waitForTurn();
      if (this.stopped) return;
      const snapshot = await this.sampleOnce();
      if (!snapshot) return;
      this.lastEndMs = this.now();
      this.publish({ snapshot });
    }
  }

  stop(): void {
    this.stopped = true;
    this.wake?.();
  }

  private publish(update: SessionUpdate): void {
    this.update = update;
    for (const listener of this.listeners) listener(update);
  }

  /** The interval now: shorter while a page map is on screen, so that it follows the pages closely. */
  private currentIntervalMs(): number {
    if (this.focusMapping === undefined) return this.intervalMs;
    return Math.min(this.intervalMs, Math.max(MIN_PAGE_MAP_INTERVAL_MS, this.intervalMs / 2));
  }

  /** A sample of every process, in parts; undefined when stopped part way. */
  private async sampleAll(showProgress: boolean): Promise<Snapshot | undefined> {
    const started = this.now();
    const pids = this.options.pids ? [...this.options.pids] : this.source.listPids();
    const chunk = Math.max(1, this.options.chunk ?? 64);
    const progressAfterMs = this.options.progressAfterMs ?? 100;
    const parts: Snapshot[] = [];
    for (let i = 0; i < pids.length || parts.length === 0; i += chunk) {
      parts.push(this.source.sample({ pids: pids.slice(i, i + chunk) }));
      const done = Math.min(pids.length, i + chunk);
      if (done < pids.length) {
        if (showProgress && this.now() - started >= progressAfterMs) {
          this.publish({ progress: { done, total: pids.length } });
        }
        await new Promise((resolve) => setImmediate(resolve));
        if (this.stopped) return undefined;
      }
    }
    return mergeSnapshots(parts);
  }

  private async waitForTurn(): Promise<void> {
    for (;;) {
      if (this.stopped) return;
      if (this.due) {
        this.due = false;
        return;
      }
      const waitMs = this.paused
        ? Infinity
        : this.lastEndMs + this.currentIntervalMs() - this.now();
      if (waitMs <= 0) return;
      await new Promise<void>((resolve) => {
        const timer = Number.isFinite(waitMs) ? setTimeout(resolve, waitMs) : undefined;
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }

  private async sampleOnce(): Promise<Snapshot | undefined> {
    const base = this.update.snapshot;
    const pid = this.focusPid;
    if (pid !== undefined && base) {
      return replaceProcess(base, pid, this.source.sample({ pids: [pid], focusPid: pid }));
    }
    return this.sampleAll(false);
  }
}
