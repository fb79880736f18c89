/** Messages between a SamplerHost (sampler-host.ts) and its thread (sampler-host-worker.ts). */
import type { Snapshot } from '../model/types.js';
import type { SampleRequest, SamplerOptions } from './sampler.js';

/** An error as it crosses threads: enough to rebuild a MemtopError or name another. */
export interface HostError {
  name: string;
  message: string;
  /** A MemtopError's code; absent for any other error. */
  code?: string;
  stack?: string;
}

export type HostCall =
  | { method: 'sample'; request: SampleRequest }
  | { method: 'listPids' }
  | { method: 'residentPagesOf'; pids: readonly number[] };

export type ToHost =
  | { kind: 'open'; options: SamplerOptions }
  | { kind: 'call'; id: number; call: HostCall }
  | { kind: 'close' };

export type FromHost =
  | { kind: 'opened'; privileged: boolean; pageSize: number; notices: readonly string[] }
  | { kind: 'failed'; error: HostError }
  | { kind: 'result'; id: number; value: Snapshot | number[] | number }
  | { kind: 'error'; id: number; error: HostError };

/** What the thread is started with. */
export interface HostData {
  /** Start the page engine's workers at once, before the sampler opens (see prestartWorkers). */
  prestartPageWorkers: boolean;
}
