/**
 * Helper threads for the page engine. A sample's phases are cut into units (read items, PFN
 * block ranges, segment ranges); the main thread and every worker claim units one at a time
 * from a shared counter until none is left, so a worker that is still starting, or busy, simply
 * takes fewer (the first sample of a short-lived process may be read by the main thread alone).
 * The main thread blocks in Atomics.wait until the units claimed by workers are done: sample()
 * stays synchronous.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { PfnIndexBuffers } from './pfn-index.js';

export const PHASE_PAGEMAP = 1;
export const PHASE_KPAGE = 2;
export const PHASE_ACCOUNT = 3;

/**
 * Control block of one phase (Int32Array): claim counter, done counter, units done by each
 * thread (MAX_THREADS slots; the main thread is 0), then a state per unit.
 */
const NEXT = 0;
const DONE = 1;
const BY_THREAD = 2;
export const MAX_THREADS = 16;
const UNITS_AT = BY_THREAD + MAX_THREADS;
const UNIT_DONE = 2;
const UNIT_FAILED = 3;
/** A unit taking this long means a worker is gone (a read takes milliseconds). */
const STALL_MS = 20_000;

/** What every worker is given once, when a pool takes it (its first message). */
export interface WorkerSetup {
  /** 1, 2, ...: the main thread is 0. */
  thread: number;
  countIndex: PfnIndexBuffers;
  flagsIndex: PfnIndexBuffers;
  countFd: number;
  flagsFd: number;
  pageSize: number;
  maxPfn: number;
  /** Read pagemap through PAGEMAP_SCAN (the worker loads the native module itself). */
  pagemapScan: boolean;
  /** Read kpagecount and kpageflags in native batches (the same module). */
  nativeReads: boolean;
}

/** The sample buffers, sent again whenever one of them had to grow. */
export interface BufferSet {
  items: SharedArrayBuffer;
  claims: SharedArrayBuffer;
  itemStatus: SharedArrayBuffer;
  segs: SharedArrayBuffer;
  segCounters: SharedArrayBuffer;
  cPfn: SharedArrayBuffer;
  cBits: SharedArrayBuffer;
  kIndex: SharedArrayBuffer;
  kBits: SharedArrayBuffer;
  kPfn: SharedArrayBuffer;
  counts: SharedArrayBuffer;
  flags: SharedArrayBuffer;
  /** Unit table of the kpage and accounting phases (Float64Array). */
  units: SharedArrayBuffer;
}

export type WorkerMessage =
  | { kind: 'setup'; setup: WorkerSetup }
  | { kind: 'buffers'; buffers: BufferSet }
  | { kind: 'phase'; phase: number; units: number; ctl: SharedArrayBuffer };

/** What a worker says once it has loaded and can take units. */
export const READY = 'ready';

/**
 * Claims units of one phase until none is left and runs them. Workers record a failed unit
 * instead of throwing, and the main thread runs it again itself (to fail with the real error,
 * or to succeed where the worker could not).
 */
export function claimUnits(
  ctl: Int32Array,
  units: number,
  run: (unit: number) => void,
  thread: number,
): void {
  const isMain = thread === 0;
  for (;;) {
    const unit = Atomics.add(ctl, NEXT, 1);
    if (unit >= units) return;
    let state = UNIT_DONE;
    if (isMain) {
      run(unit);
    } else {
      try {
        run(unit);
      } catch {
        state = UNIT_FAILED;
      }
    }
    Atomics.store(ctl, UNITS_AT + unit, state);
    Atomics.add(ctl, BY_THREAD + thread, 1);
    Atomics.add(ctl, DONE, 1);
    Atomics.notify(ctl, DONE);
  }
}

/**
 * Running from the TypeScript sources (tests, tsx): a worker then loads its module through
 * tsx, which starts esbuild as a child process, a fork that briefly shares every page of this
 * process and so moves other processes' share counts. Workers are used there only when asked.
 */
export const FROM_SOURCES = import.meta.url.endsWith('.ts');

/**
 * The module a worker runs: compiled JavaScript, or the TypeScript source under tsx/vitest.
 * `workWaiting` (one Int32) is set once the worker has work: it stops warming up.
 */
function spawn(workWaiting: SharedArrayBuffer): Worker {
  const here = import.meta.url;
  const workerData = { workWaiting };
  if (FROM_SOURCES) {
    const target = new URL('./page-worker.ts', here).href;
    const code =
      `(async () => { const { tsImport } = await import('tsx/esm/api'); ` +
      `await tsImport(${JSON.stringify(target)}, ${JSON.stringify(here)}); })()`;
    return new Worker(code, { eval: true, workerData, execArgv: [] });
  }
  // No loader flags of the parent (tsx's, for one): the worker is plain JavaScript.
  return new Worker(new URL('./page-worker.js', here), { workerData, execArgv: [] });
}

/** A worker and when it has loaded (or failed to). */
interface Started {
  worker: Worker;
  ready: Promise<void>;
  gone: boolean;
  workWaiting: Int32Array;
}

function start(): Started {
  const workWaiting = new Int32Array(new SharedArrayBuffer(4));
  const worker = spawn(workWaiting.buffer as SharedArrayBuffer);
  const started: Started = { worker, ready: Promise.resolve(), gone: false, workWaiting };
  started.ready = new Promise((resolve) => {
    worker.once('message', () => resolve());
    worker.once('error', () => resolve());
    worker.once('exit', () => {
      started.gone = true;
      resolve();
    });
  });
  return started;
}

/** Workers started ahead of the sampler (prestartWorkers), not taken by a pool yet. */
const prestarted: Started[] = [];

/**
 * Threads a sample reads with by default, this one included: the CPUs available, at most 4, on
 * the live /proc; 1 elsewhere, and when running from the TypeScript sources.
 */
export function defaultThreads(isLive: boolean): number {
  return isLive && !FROM_SOURCES ? Math.min(availableParallelism(), 4) : 1;
}

/**
 * Starts the workers a sampler on the live /proc will want, before it exists: a worker takes
 * ~100 ms to load and compile its code, which a one-shot command would otherwise spend with the
 * main thread reading alone. The next WorkerPool takes them; Sampler.open() ends those it did
 * not take. They never keep the process alive on their own.
 */
export function prestartWorkers(count = defaultThreads(true) - 1): void {
  for (let i = prestarted.length; i < Math.min(count, MAX_THREADS - 1); i++) {
    const started = start();
    started.worker.unref();
    prestarted.push(started);
  }
}

/** Ends the prestarted workers that no pool took. */
export function releasePrestarted(): void {
  for (const { worker } of prestarted.splice(0)) void worker.terminate();
}

export class WorkerPool {
  private readonly workers: Worker[] = [];
  private readonly workWaiting: Int32Array[] = [];
  /** Set when a worker failed to start or died: the main thread then works alone. */
  private broken = false;
  /** Resolves once every worker has loaded (or the pool broke). */
  readonly ready: Promise<void>;

  constructor(count: number, setup: Omit<WorkerSetup, 'thread'>) {
    const ready: Promise<void>[] = [];
    for (let i = 0; i < Math.min(count, MAX_THREADS - 1); i++) {
      const started = prestarted.shift() ?? start();
      const { worker } = started;
      if (started.gone) this.broken = true;
      worker.postMessage({
        kind: 'setup',
        setup: { ...setup, thread: i + 1 },
      } satisfies WorkerMessage);
      // Held (ref) until it has started, so that whenReady() keeps the process alive; then it
      // must not keep a finished process from exiting.
      worker.ref();
      ready.push(started.ready.then(() => void worker.unref()));
      worker.on('error', () => (this.broken = true));
      worker.on('exit', () => (this.broken = true));
      this.workers.push(worker);
      this.workWaiting.push(started.workWaiting);
    }
    this.ready = Promise.all(ready).then(() => undefined);
  }

  get usable(): boolean {
    return !this.broken && this.workers.length > 0;
  }

  get size(): number {
    return this.workers.length;
  }

  sendBuffers(buffers: BufferSet): void {
    for (const w of this.workers)
      w.postMessage({ kind: 'buffers', buffers } satisfies WorkerMessage);
  }

  /**
   * Runs units 0..units-1 of a phase on this thread and the workers. Returns once every unit
   * is done (units a worker failed are run again here), with the number of threads that ran
   * some of them.
   */
  runPhase(phase: number, units: number, run: (unit: number) => void): number {
    const ctl = new Int32Array(new SharedArrayBuffer((UNITS_AT + units) * 4));
    for (const flag of this.workWaiting) Atomics.store(flag, 0, 1);
    for (const w of this.workers) {
      w.postMessage({
        kind: 'phase',
        phase,
        units,
        ctl: ctl.buffer as SharedArrayBuffer,
      } satisfies WorkerMessage);
    }
    claimUnits(ctl, units, run, 0);
    let seen = Atomics.load(ctl, DONE);
    let since = Date.now();
    while (seen < units) {
      Atomics.wait(ctl, DONE, seen, 1000);
      const now = Atomics.load(ctl, DONE);
      if (now !== seen) {
        seen = now;
        since = Date.now();
      } else if (Date.now() - since > STALL_MS) {
        throw new Error('a sampler worker stopped answering');
      }
    }
    for (let unit = 0; unit < units; unit++) {
      if (Atomics.load(ctl, UNITS_AT + unit) === UNIT_FAILED) run(unit);
    }
    let threads = 0;
    for (let t = 0; t < MAX_THREADS; t++) if (Atomics.load(ctl, BY_THREAD + t) > 0) threads++;
    return threads;
  }

  close(): void {
    for (const w of this.workers) void w.terminate();
    this.workers.length = 0;
    this.workWaiting.length = 0;
  }
}
