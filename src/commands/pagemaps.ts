import { ProcessRestrictedError } from '../errors.js';
import type { Sampler } from '../sampler/sampler.js';
import { formatPagemaps } from '../output/pagemaps.js';
import { checkPid, goneProblem } from './given-pids.js';

/** Writes the /proc/PID/pagemaps listing of one process, in chunks. */
export function runPagemaps(sampler: Sampler, id: number, write: (text: string) => void): void {
  const pid = checkPid(sampler, id);
  const snapshot = sampler.sample({ pids: [pid], mappings: true, pages: true });
  const p = snapshot.processes[0];
  if (!p) throw goneProblem(sampler, pid, snapshot.notices); // exited between the check and the sample
  if (p.access === 'restricted') throw new ProcessRestrictedError(pid, sampler.privileged);
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
