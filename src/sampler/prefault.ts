import { openSync, readFileSync, readSync } from 'node:fs';
import { decodeProcText } from './decode-text.js';
import { parseMaps } from './parse-proc.js';
import { closeQuietly } from './proc-files.js';

/**
 * 'libs': memtop's shared libraries (libc, libstdc++, ...), which nearly every process shares;
 * 'all': also the node executable, which only other node processes share (~90 MiB of reads);
 * 'none': nothing.
 */
export type PrefaultMode = 'libs' | 'all' | 'none';

/**
 * memtop must not change what it measures. Code it runs for the first time faults in pages of
 * shared libraries, and each such fault raises the map count of that page in every process
 * that already maps it: it would move pages from private to shared under our eyes. So before
 * the first sample we fault in all of our own file-backed readable pages, by reading them
 * through /proc/self/mem (the user-space equivalent of mlockall(MCL_CURRENT) + munlockall()).
 */
export function prefaultSelf(mode: PrefaultMode): void {
  if (mode === 'none') return;
  const maps = parseMaps(decodeProcText(readFileSync('/proc/self/maps')));
  const exe = mode === 'all' ? undefined : maps[0]?.path;
  let fd: number;
  try {
    fd = openSync('/proc/self/mem', 'r');
  } catch {
    return;
  }
  const buffer = new Uint8Array(1 << 20);
  try {
    for (const m of maps) {
      if (m.perms[0] !== 'r' || !m.path.startsWith('/') || m.path === exe) continue;
      for (let at = m.start; at < m.end; at += buffer.length) {
        try {
          readSync(fd, buffer, 0, Math.min(buffer.length, m.end - at), at);
        } catch {
          break; // a mapping that cannot be read (device memory, a file truncated under us)
        }
      }
    }
  } finally {
    closeQuietly(fd);
  }
}
