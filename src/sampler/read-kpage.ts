import { preadFully } from './proc-files.js';

/** Far above any physical address space (2^52 bytes with 4 KiB pages). */
const PFN_SEARCH_LIMIT = 2 ** 40;

/**
 * The kernel's max_pfn: reads of kpagecount at or past it return no bytes, which a binary
 * search of one-entry preads finds in ~40 syscalls. PFNs at or above it have no page: map
 * count 0, no flags.
 */
export function readMaxPfn(countFd: number): number {
  const probe = new Uint8Array(8);
  let lo = 0;
  let hi = PFN_SEARCH_LIMIT;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (preadFully(countFd, probe, 8, mid * 8) === 8) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
