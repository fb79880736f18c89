import { ProcessRestrictedError } from '../errors.js';
import type { Sampler } from '../sampler/sampler.js';
import { formatPagemaps } from '../ui/format/pagemaps.js';
import { checkPids } from './snapshot.js';

/** Writes the /proc/PID/pagemaps listing of one process, in chunks. */
export function runPagemaps(sampler: Sampler, id: number, write: (text: string) => void): void {
  const [pid] = checkPids(sampler, [id]) as [number];
  const snapshot = sampler.sample({ pids: [pid], mappings: true, pages: true });
  const p = snapshot.processes[0];
  if (!p) return; // exited between the check and the sample: nothing to list
  if (p.access === 'restricted') {
    throw new ProcessRestrictedError(pid);
  }
  let chunk = '';
  for (const line of formatPagemaps(p, snapshot.pageSize)) {
    chunk += line + '\n';
    if (chunk.length >= 1 << 16) {
      write(chunk);
      chunk = '';
    }
  }
  write(chunk);
}
