import type { SortKey } from '../model/sort.js';
import type { Sampler } from '../sampler/sampler.js';
import { runBatch } from './batch.js';

export interface InteractiveArgs {
  intervalMs: number;
  sort: SortKey;
  pids?: number[];
  color: boolean;
}

/** Interactive view: for now batch frames on the terminal until interrupted. */
export async function runInteractive(sampler: Sampler, args: InteractiveArgs): Promise<void> {
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  await runBatch(sampler, {
    intervalMs: args.intervalMs,
    json: false,
    pids: args.pids,
    sort: args.sort,
    write: (t) => process.stdout.write(t),
    signal: controller.signal,
  });
}
