import type { Snapshot } from '../model/types.js';
import type { SampleRequest } from '../sampler/sampler.js';

/**
 * Where the store's samples come from. Today the live sampler: the Sampler itself (batch mode,
 * on the main thread) or the Sampler in a worker thread (SamplerHost, the interactive view: its
 * answers are promises, so that a read that blocks never blocks keys and signals); a fake in
 * tests and benchmarks; a recording later. The store and every consumer behind it work on any
 * source unchanged.
 */
export interface SampleSource {
  sample(request: SampleRequest): Snapshot | Promise<Snapshot>;
  listPids(): number[] | Promise<number[]>;
  /** PFNs can be read: full samples then keep every page, so that the next can be compared. */
  readonly privileged?: boolean;
  /** The page rows keeping every page of these processes would take (see Sampler). */
  residentPagesOf?(pids: readonly number[]): number | Promise<number>;
}
