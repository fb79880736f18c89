import { readFileSync, statSync } from 'node:fs';
import { ProcessReadFailure } from './proc-files.js';

/** CAP_SYS_ADMIN's bit in the capability sets of /proc/PID/status. */
const CAP_SYS_ADMIN = 21n;

/** Which check of the per-page view failed first (see openKpage in sampler.ts). */
export interface KpageRefusal {
  /** kpagecount or kpageflags could not be opened, or pagemap showed no page frame numbers. */
  refused: 'kpagecount' | 'kpageflags' | 'pfns';
  error?: unknown;
}

const HIDDEN =
  'map counts and page flags are hidden; your own processes come from pagemap flags and ' +
  'smaps, others show RSS only (restricted); figures include memtop’s own mappings.';

/**
 * The notice that says why map counts are hidden, naming the check that failed: whether
 * CAP_SYS_ADMIN is effective, whether kpagecount could be opened, whether pagemap shows PFNs.
 * A capability alone does not open kpagecount (mode 0400, root's): only root does.
 */
export function privilegeNotice(refusal: KpageRefusal, procRoot: string, isLive: boolean): string {
  const hasCap = isLive && hasEffectiveCapSysAdmin();
  if (hasCap && refusal.refused !== 'pfns') {
    const file = `${procRoot}/${refusal.refused}`;
    const code = reasonOf(refusal.error);
    return (
      `CAP_SYS_ADMIN is effective, but ${file} cannot be opened (${code}${modeOf(file)}): ` +
      `${HIDDEN} A capability on the node binary would make every user of it root-equivalent: ` +
      'run memtop as root (sudo) instead.'
    );
  }
  if (hasCap) {
    return (
      'CAP_SYS_ADMIN is effective, but pagemap shows no page frame numbers (the capability ' +
      `counts only in the initial user namespace): ${HIDDEN} Run as root on the host for the full per-page view.`
    );
  }
  if (isLive && refusal.refused === 'pfns') {
    return (
      'no CAP_SYS_ADMIN: kpagecount is readable, but pagemap hides page frame numbers without ' +
      `the capability: ${HIDDEN} Run as root (with CAP_SYS_ADMIN) for the full per-page view.`
    );
  }
  return `no CAP_SYS_ADMIN: ${HIDDEN} Run as root for the full per-page view.`;
}

/** An open's failure in a few words: the errno code, or what ProcessReadFailure kept of it. */
function reasonOf(error: unknown): string {
  if (error instanceof ProcessReadFailure)
    return error.failure === 'denied' ? 'permission denied' : 'not there';
  return (error as NodeJS.ErrnoException | undefined)?.code ?? 'refused';
}

/** Whether CAP_SYS_ADMIN is in this process's effective set (CapEff of /proc/self/status). */
export function hasEffectiveCapSysAdmin(): boolean {
  try {
    const match = /^CapEff:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'latin1'));
    return match !== null && ((BigInt(`0x${match[1]}`) >> CAP_SYS_ADMIN) & 1n) === 1n;
  } catch {
    return false;
  }
}

/** "; mode 0400, owned by root: readable by root alone" for a file, '' where it cannot be examined. */
function modeOf(path: string): string {
  try {
    const { mode, uid } = statSync(path);
    const owner = uid === 0 ? 'root' : `uid ${uid}`;
    const rootOnly = uid === 0 && (mode & 0o044) === 0 ? ': readable by root alone' : '';
    return `; mode 0${(mode & 0o777).toString(8)}, owned by ${owner}${rootOnly}`;
  } catch {
    return '';
  }
}
