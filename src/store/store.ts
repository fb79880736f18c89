import { performance } from 'node:perf_hooks';
import { carryScans, mergeSnapshots } from '../model/merge.js';
import type { Snapshot } from '../model/types.js';
import type { SampleRequest } from '../sampler/sampler.js';
import type { SessionFeed, SessionIntent, SessionUpdate } from './contract.js';
import { DerivedData } from './derived.js';
import { withoutPages, withTrackingNotice, type FullSample } from './full-sample.js';
import { ChangeTracker } from './page-changes.js';
import { ScanBudget } from './scan-budget.js';
import type { SampleSource } from './source.js';

export interface StoreOptions {
  intervalMs: number;
  /** Only these processes (memtop -p). */
  pids?: readonly number[];
  /**
   * Processes per part of a full sample: intents are taken between parts, progress shown in
   * the first. Infinity: one part, with nothing let through meanwhile (batch mode).
   */
  chunk?: number;
  /** Progress is published only once the first sample has taken this long (ms). */
  progressAfterMs?: number;
  /** The store's clock (ms): when to sample, and the budget's wall time. */
  now?: () => number;
  /** memtop's CPU time so far (ms), charged to the budget; default the process's counters. */
  cpuMs?: () => number;
  /**
   * Page tracking (every page of every process kept for two samples, for copy-on-write and
   * sharing changes) stops while the last full sample held more resident pages than this, so
   * that memtop stays small on big hosts; the focused process is still tracked.
   */
  trackPagesLimit?: number;
  /**
   * CPU budget of all of memtop, percent of one core (see model/budget.ts); undefined: every
   * sample reads every process's pages. Applies with PFNs.
   */
  budgetPercent?: number;
  /**
   * Keep every process's pages in full samples, to compare them: default with PFNs only;
   * true keeps the page flags without PFNs too (batch mode).
   */
  keepPages?: boolean;
  /** Keep every process's mappings in full samples (batch mode); default only while needed. */
  keepMappings?: boolean;
}

/** Default limit of pages tracked across all processes: about 45 MiB per sample kept. */
export const DEFAULT_TRACK_PAGES = 2_000_000;

/** Page map samples come at most this often, however short the interval (ms). */
const MIN_PAGE_MAP_INTERVAL_MS = 250;

/**
 * The who-shares index is rebuilt over a newer full sample once it is this many intervals old;
 * while a process is focused, a full sample then replaces a focused one.
 */
const SHARERS_REFRESH_INTERVALS = 4;

/**
 * The store between the sample source and every consumer of samples (the TUI, batch frames;
 * later the recorder, history and metrics). One loop samples within the CPU budget, carries
 * the rows it did not read from their last read, compares each sample with the one before,
 * keeps the page events, and publishes each new state to its subscribers; it then sleeps:
 * samples never overlap however long one takes. A full sample is read in parts of a few dozen
 * processes, with the event loop let through in between, so that keys are answered while a
 * slow sample runs (and the first sample shows its progress). Consumers steer it with intents
 * only: the process on screen (then only that process is read, with its mappings and pages,
 * and merged into the last full snapshot), the mapping on screen (its pages are read twice per
 * interval), the interval, pause (no samples, except one of a newly focused process), the rows
 * on screen (read more often within the budget).
 *
 * With PFNs, full samples keep every process's mappings and pages, so that each full sample is
 * compared with the one before, and the focused process with its own sample before: the page
 * changes go out with the snapshot. Who shares what and the libraries are computed from the
 * last full sample only while a screen asks for them.
 */
export class SampleStore implements SessionFeed {
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
  private readonly keepPages: boolean;
  private readonly changes = new ChangeTracker();
  private readonly derived = new DerivedData();
  /** The last full sample: the one place it is kept. */
  private full: FullSample | undefined;
  private lastFullEndMs = 0;
  /**
   * Resident pages of the last full sample; before the first, the processes' own count from
   * statm (undefined where the source cannot tell).
   */
  private residentPages: number | undefined;
  private readonly budget: ScanBudget;
  /** The processes whose rows are on screen, in drawn order. */
  private rowPids: readonly number[] = [];

  constructor(
    private readonly source: SampleSource,
    private readonly options: StoreOptions,
  ) {
    this.intervalMs = options.intervalMs;
    this.now = options.now ?? (() => performance.now());
    const privileged = source.privileged === true;
    this.keepPages = options.keepPages ?? privileged;
    const percent = privileged ? options.budgetPercent : undefined;
    this.budget = new ScanBudget(percent, this.now, options.cpuMs);
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

  /** What a consumer asks for; takes effect at once (a sleeping loop wakes up to reconsider). */
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
      case 'sharers':
        if (intent.pid === this.derived.sharersPid) return;
        this.derived.sharersPid = intent.pid;
        break;
      case 'rows':
        this.rowPids = intent.pids;
        return;
      case 'libraries':
        if (intent.wanted === this.derived.librariesWanted) return;
        this.derived.librariesWanted = intent.wanted;
        // Without PFNs full samples skip mappings (smaps is dear): take one with them now.
        if (intent.wanted && !this.full?.hasMappings) this.due = true;
        break;
    }
    this.wake?.();
  }

  /**
   * Samples until stop(); rejects when a sample fails (the caller restores the terminal), or
   * when a subscriber throws.
   */
  async run(): Promise<void> {
    const first = await this.sampleAll(true);
    if (!first) return;
    this.lastEndMs = this.now();
    this.publishSnapshot(first);
    while (!this.stopped) {
      await this.waitForTurn();
      if (this.stopped) return;
      const snapshot = await this.sampleOnce();
      if (!snapshot) return;
      this.lastEndMs = this.now();
      this.publishSnapshot(snapshot);
    }
  }

  /** Ends the loop: no sample starts after this, and run() resolves. */
  stop(): void {
    this.stopped = true;
    this.wake?.();
  }

  private publishSnapshot(snapshot: Snapshot): void {
    this.publish({
      snapshot,
      ...this.changes.published(),
      ...this.derived.published(),
      cost: this.budget.cost(),
    });
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

  private trackPagesLimit(): number {
    return this.options.trackPagesLimit ?? DEFAULT_TRACK_PAGES;
  }

  /** Every page of every process is kept: wanted, and the host is not too big for it. */
  private tracksPages(): boolean {
    const limit = this.trackPagesLimit();
    return this.keepPages && (this.residentPages === undefined || this.residentPages <= limit);
  }

  /** What each part of a full sample asks for: with PFNs every page, so that samples compare. */
  private fullRequest(pids: number[]): SampleRequest {
    const request: SampleRequest = { pids };
    const pages = this.tracksPages();
    if (pages || this.derived.librariesWanted || this.options.keepMappings) request.mappings = true;
    if (pages) request.pages = true;
    if (this.focusPid !== undefined) request.focusPid = this.focusPid;
    return request;
  }

  /** A sample of every process, in parts; undefined when stopped part way. */
  private async sampleAll(showProgress: boolean): Promise<Snapshot | undefined> {
    const started = this.now();
    const pids = this.options.pids ? [...this.options.pids] : await this.source.listPids();
    if (this.stopped) return undefined;
    const limit = this.trackPagesLimit();
    // Before the first sample, whether this host is too big to track every page: otherwise the
    // first sample would keep every page it reads up to the limit, only to let them go.
    if (this.residentPages === undefined && this.keepPages && Number.isFinite(limit))
      this.residentPages = await this.source.residentPagesOf?.(pids);
    const chunk = Math.max(1, this.options.chunk ?? 64);
    const progressAfterMs = this.options.progressAfterMs ?? 100;
    const request = this.fullRequest([]);
    const wanted = {
      required: this.focusPid === undefined ? [] : [this.focusPid],
      preferred: this.rowPids,
    };
    const statusOnly = this.budget.plan(this.full?.snapshot, pids, wanted, this.intervalMs);
    if (statusOnly && statusOnly.length > 0) request.statusOnlyPids = statusOnly;
    let trackedRows = 0;
    const parts: Snapshot[] = [];
    for (let i = 0; i < pids.length || parts.length === 0; i += chunk) {
      parts.push(await this.source.sample({ ...request, pids: pids.slice(i, i + chunk) }));
      if (this.stopped) return undefined;
      if (request.pages) {
        for (const p of parts.at(-1)!.processes) trackedRows += p.pages?.count ?? 0;
        // Too big a host to keep every page: stop now, and let go of what was kept so far.
        if (trackedRows > limit) {
          request.pages = undefined;
          if (!this.derived.librariesWanted && !this.options.keepMappings)
            request.mappings = undefined;
          for (let k = 0; k < parts.length; k++) parts[k] = withoutPages(parts[k]!, request);
        }
      }
      const done = Math.min(pids.length, i + chunk);
      if (done < pids.length) {
        if (showProgress && this.now() - started >= progressAfterMs) {
          this.publish({ progress: { done, total: pids.length } });
        }
        await new Promise((resolve) => setImmediate(resolve));
        if (this.stopped) return undefined;
      }
    }
    const read = parts.length === 1 ? parts[0]! : mergeSnapshots(parts);
    this.budget.record(read);
    // Rows carried over from the last full sample keep its pages only while pages are tracked.
    const carried = carryScans(read, this.full?.snapshot);
    const merged = request.pages || carried === read ? carried : withoutPages(carried, request);
    this.residentPages = Math.max(trackedRows, merged.totals.rssBytes / merged.pageSize);
    const snapshot = request.pages ? merged : withTrackingNotice(merged, limit);
    const before = this.full;
    this.full = {
      snapshot,
      hasPages: request.pages === true,
      hasMappings: request.mappings === true,
    };
    this.changes.acceptFull(before, this.full, request.focusPid);
    this.lastFullEndMs = this.now();
    return snapshot;
  }

  private async waitForTurn(): Promise<void> {
    for (;;) {
      if (this.stopped) return;
      this.derived.indexMaxAgeMs = SHARERS_REFRESH_INTERVALS * this.intervalMs;
      if (this.derived.isStale(this.full, this.now())) {
        // Let the snapshot just published reach the screen before the derived data is built.
        await new Promise((resolve) => setImmediate(resolve));
        if (this.stopped) return;
        if (this.derived.refresh(this.full, this.now()))
          this.publish({ ...this.update, ...this.derived.published() });
        continue;
      }
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

  /** A screen shows who shares the focused process's pages, and the index is getting old. */
  private sharersAreOld(): boolean {
    if (this.derived.sharersPid === undefined || !this.tracksPages()) return false;
    return this.now() - this.lastFullEndMs >= SHARERS_REFRESH_INTERVALS * this.intervalMs;
  }

  private async sampleOnce(): Promise<Snapshot | undefined> {
    const base = this.update.snapshot;
    const pid = this.focusPid;
    if (pid !== undefined && base && !this.sharersAreOld()) {
      this.budget.plan(undefined, [pid], {}, this.intervalMs);
      const fresh = await this.source.sample({ pids: [pid], focusPid: pid });
      if (this.stopped) return undefined;
      this.budget.record(fresh);
      return this.changes.acceptFocused(this.full?.snapshot, base, pid, fresh);
    }
    return this.sampleAll(false);
  }
}
