/**
 * The Sampler in a worker thread, for the interactive view: the main thread keeps the keys,
 * the signals and the screen, and whatever a read of /proc waits for (a hung mount, a
 * process's mmap_lock), it waits for in this thread alone. Calls answer with promises;
 * snapshots cross by structured clone, their page tables moved rather than copied.
 *
 * A read stuck in the kernel cannot be interrupted, nor can a thread stuck in it be joined:
 * end() gives up on such a thread after a while, and the caller then ends the process without
 * joining it (hardExit in src/commands).
 */
import { Worker } from 'node:worker_threads';
import { MemtopError, type ErrorCode } from '../errors.js';
import type { Snapshot } from '../model/types.js';
import type { SampleRequest, SamplerOptions } from './sampler.js';
import type { FromHost, HostCall, HostData, HostError, ToHost } from './sampler-host-protocol.js';

const FROM_SOURCES = import.meta.url.endsWith('.ts');

/** The host's module: compiled JavaScript, or the TypeScript source under tsx/vitest. */
function spawn(data: HostData): Worker {
  const here = import.meta.url;
  if (FROM_SOURCES) {
    const target = new URL('./sampler-host-worker.ts', here).href;
    const code =
      `(async () => { const { tsImport } = await import('tsx/esm/api'); ` +
      `await tsImport(${JSON.stringify(target)}, ${JSON.stringify(here)}); })()`;
    return new Worker(code, { eval: true, workerData: data, execArgv: [] });
  }
  return new Worker(new URL('./sampler-host-worker.js', here), { workerData: data, execArgv: [] });
}

/** A host thread started ahead (prestartSamplerHost), not taken yet. */
let prestarted: Worker | undefined;

/**
 * Starts the host's thread before memtop has parsed its command line: it loads its code (~100
 * ms) meanwhile. SamplerHost.open takes it; it never keeps the process alive on its own.
 */
export function prestartSamplerHost(data: HostData): void {
  if (prestarted) return;
  const worker = spawn(data);
  worker.unref();
  // One that failed to load is not taken: open() starts another.
  worker.once('exit', () => {
    if (prestarted === worker) prestarted = undefined;
  });
  prestarted = worker;
}

/** Ends a prestarted host thread that nothing took (memtop did not open the interactive view). */
export function releasePrestartedHost(): void {
  void prestarted?.terminate();
  prestarted = undefined;
}

/** The sampler's thread failed or ended while calls were waiting. */
export class SamplerHostError extends MemtopError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('SAMPLER_HOST', message, options);
    this.name = 'SamplerHostError';
  }
}

interface Pending {
  resolve: (value: never) => void;
  reject: (error: Error) => void;
}

/** Rebuilds a thread's error: a MemtopError stays one (one line, its exit status). */
function rebuild(error: HostError): Error {
  const out =
    error.code !== undefined
      ? new MemtopError(error.code as ErrorCode, error.message)
      : new Error(error.message);
  out.name = error.name;
  if (error.stack) out.stack = error.stack;
  return out;
}

export class SamplerHost {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private failure: Error | undefined;
  private readonly exited: Promise<void>;
  private hasExited = false;

  private constructor(
    private readonly worker: Worker,
    readonly privileged: boolean,
    readonly pageSize: number,
    readonly notices: readonly string[],
  ) {
    this.exited = new Promise((resolve) =>
      worker.once('exit', () => {
        this.hasExited = true;
        this.fail(new SamplerHostError('the sampler’s thread ended'));
        resolve();
      }),
    );
    worker.on('error', (error) => this.fail(error));
    worker.on('message', (message: FromHost) => this.receive(message));
  }

  /** Opens a Sampler in its own thread (the prestarted one if any); rejects as Sampler.open throws. */
  static async open(options: SamplerOptions, data: HostData): Promise<SamplerHost> {
    const worker = prestarted ?? spawn(data);
    prestarted = undefined;
    worker.ref();
    const opened = await new Promise<FromHost>((resolve, reject) => {
      const onExit = () => reject(new SamplerHostError('the sampler’s thread did not start'));
      worker.once('error', reject);
      worker.once('exit', onExit);
      worker.once('message', (message: FromHost) => {
        worker.off('error', reject);
        worker.off('exit', onExit);
        resolve(message);
      });
      worker.postMessage({ kind: 'open', options } satisfies ToHost);
    }).catch(async (error: unknown) => {
      await worker.terminate();
      throw error;
    });
    if (opened.kind !== 'opened') {
      await worker.terminate();
      throw opened.kind === 'failed'
        ? rebuild(opened.error)
        : new SamplerHostError('the sampler’s thread did not open');
    }
    return new SamplerHost(worker, opened.privileged, opened.pageSize, opened.notices);
  }

  sample(request: SampleRequest): Promise<Snapshot> {
    return this.call({ method: 'sample', request });
  }

  listPids(): Promise<number[]> {
    return this.call({ method: 'listPids' });
  }

  residentPagesOf(pids: readonly number[]): Promise<number> {
    return this.call({ method: 'residentPagesOf', pids: [...pids] });
  }

  /**
   * Closes the sampler and ends its thread. True once the thread has ended; false when it is
   * still there after `timeoutMs` (stuck in a read): the process must then end without it.
   */
  async end(timeoutMs: number): Promise<boolean> {
    if (this.hasExited) return true;
    this.worker.postMessage({ kind: 'close' } satisfies ToHost);
    void this.worker.terminate();
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const ended = await Promise.race([this.exited.then(() => true), late]);
    clearTimeout(timer);
    return ended;
  }

  private call<T>(call: HostCall): Promise<T> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: never) => void, reject });
      this.worker.postMessage({ kind: 'call', id, call } satisfies ToHost);
    });
  }

  private receive(message: FromHost): void {
    if (message.kind !== 'result' && message.kind !== 'error') return;
    const waiting = this.pending.get(message.id);
    if (!waiting) return;
    this.pending.delete(message.id);
    if (message.kind === 'result') waiting.resolve(message.value as never);
    else waiting.reject(rebuild(message.error));
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const waiting of this.pending.values()) waiting.reject(this.failure);
    this.pending.clear();
  }
}
