/**
 * /proc/kpagecgroup: for each PFN, the inode of the memory cgroup the page is charged to (0
 * for none). Read as root for the PFNs a sample found, in runs of neighbouring PFNs.
 */
import { ProcessReadFailure, closeQuietly, openProcFile, preadFully } from './proc-files.js';
import { systemPath, type ProcRoot } from './proc-root.js';

/** PFNs read in one pread at most (8 bytes each). */
const RUN_ENTRIES = 4096;
/** A gap of at most this many PFNs is read through rather than split into two reads. */
const GAP_ENTRIES = 64;

/**
 * The memory cgroup inode of each PFN (ascending, distinct); undefined where kpagecgroup
 * cannot be read (no CONFIG_MEMCG, not root, a tree without one).
 */
export function readPageCgroups(
  root: ProcRoot,
  pfns: readonly number[],
): Map<number, number> | undefined {
  let fd: number;
  try {
    fd = openProcFile(systemPath(root, 'kpagecgroup'));
  } catch (error) {
    if (error instanceof ProcessReadFailure) return undefined;
    throw error;
  }
  const out = new Map<number, number>();
  const buffer = Buffer.allocUnsafe(RUN_ENTRIES * 8);
  try {
    for (let i = 0; i < pfns.length;) {
      const first = pfns[i]!;
      let j = i + 1;
      while (
        j < pfns.length &&
        pfns[j]! - first < RUN_ENTRIES &&
        pfns[j]! - pfns[j - 1]! <= GAP_ENTRIES
      ) {
        j++;
      }
      const entries = pfns[j - 1]! - first + 1;
      const got = preadFully(fd, buffer, entries * 8, first * 8) / 8;
      for (let k = i; k < j; k++) {
        const at = pfns[k]! - first;
        if (at < got) out.set(pfns[k]!, Number(buffer.readBigUInt64LE(at * 8)));
      }
      i = j;
    }
  } catch (error) {
    if (error instanceof ProcessReadFailure) return undefined;
    throw error;
  } finally {
    closeQuietly(fd);
  }
  return out;
}
