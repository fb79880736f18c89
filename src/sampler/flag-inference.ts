/**
 * When the page engine may infer kpageflags instead of reading them (INFERRED_ANON_FLAGS,
 * page-bits.ts): one value read once per sample from what the host can have, and per process
 * from what only it can have. Inferring saves a kpageflags entry per anonymous page; it is done
 * only where the inferred flags count each page exactly as its own would.
 */
import { existsSync, readdirSync } from 'node:fs';
import { parseStatusKb } from './parse-proc.js';
import { STAT_LIMIT, SYSTEM_LIMIT, readProcText } from './proc-files.js';

/** What the host can have, read once per sample. */
export interface FlagInference {
  /**
   * /proc/vmstat pglazyfree is 0: no page was ever made lazily freeable (MADV_FREE clears
   * SWAPBACKED), so every anonymous page is swap-backed. False also when inference is off.
   */
  hasNoLazyFree: boolean;
  /**
   * No page can be a KSM page (KPF_KSM, which the ksm counter reads): the kernel has no KSM,
   * or KSM is stopped (run 0) with nothing merged (pages_shared and pages_sharing 0). Known
   * on the live system only. Otherwise a process may hold KSM pages when it has a mergeable
   * area (/proc/PID/ksm_stat ksm_mergeable, Linux 6.10+; without that line, any process may).
   */
  hasNoKsm: boolean;
  /**
   * No anonymous page is part of a large folio (THP, mTHP): kept rows then show the page
   * map's THP state exactly with inferred flags. Read only when kept rows may be inferred.
   */
  hasNoLargeAnon: boolean;
}

/** Inferred or read, for one process's anonymous pages. */
export interface ProcessInference {
  /** In compact rows (counters only). */
  inferAnon: boolean;
  /** In kept rows too (page by page: the page map's states). */
  keptInferAnon: boolean;
}

const KSM_DIR = '/sys/kernel/mm/ksm';
const HAS_KSM = existsSync(KSM_DIR);
const THP_DIR = '/sys/kernel/mm/transparent_hugepage';
let thpSizes: string[] | undefined;

/** Is this /proc/vmstat counter present and 0? */
export function vmstatIsZero(vmstat: string, name: string): boolean {
  const m = new RegExp(`^${name} (\\d+)$`, 'm').exec(vmstat);
  return m !== null && m[1] === '0';
}

/** A number in a /sys file; NaN when it cannot be read or is not one. */
function sysNumber(path: string): number {
  let text: string;
  try {
    text = readProcText(path, SYSTEM_LIMIT).trim();
  } catch {
    return Number.NaN;
  }
  return /^\d+$/.test(text) ? Number(text) : Number.NaN;
}

/** Whether no page of the live system can be a KSM page (see FlagInference.hasNoKsm). */
export function readHasNoKsm(): boolean {
  if (!HAS_KSM) return true;
  return ['run', 'pages_shared', 'pages_sharing'].every(
    (name) => sysNumber(`${KSM_DIR}/${name}`) === 0,
  );
}

/**
 * The THP size directories that can hold anonymous folios, listed once: sizes without `enabled`
 * are for shmem and files only (order 1).
 */
function anonThpSizes(): string[] {
  if (thpSizes) return thpSizes;
  let names: string[];
  try {
    names = readdirSync(THP_DIR).filter((name) => name.startsWith('hugepages-'));
  } catch {
    names = [];
  }
  thpSizes = names
    .map((name) => `${THP_DIR}/${name}`)
    .filter((dir) => existsSync(`${dir}/enabled`));
  return thpSizes;
}

function readHasNoLargeAnon(vmstat: string): boolean {
  if (!vmstatIsZero(vmstat, 'nr_anon_transparent_hugepages')) return false;
  // Per-size counts of anonymous large folios (mTHP, Linux 6.11+): none may exist.
  return anonThpSizes().every((dir) => sysNumber(`${dir}/stats/nr_anon`) === 0);
}

/**
 * The sample's inference conditions. `isAllowed`: the sampler may infer at all; `isLive`: the
 * proc root is the live /proc, which the live /sys describes; `vmstat`: its /proc/vmstat;
 * `wantsKept`: kept rows may be inferred (pages are kept for more than the focused process).
 */
export function readFlagInference(options: {
  isAllowed: boolean;
  isLive: boolean;
  vmstat: string;
  wantsKept: boolean;
}): FlagInference {
  const { isAllowed, isLive, vmstat, wantsKept } = options;
  const hasNoLazyFree = isAllowed && vmstatIsZero(vmstat, 'pglazyfree');
  const hasNoKsm = hasNoLazyFree && isLive && readHasNoKsm();
  const hasNoLargeAnon = hasNoLazyFree && isLive && wantsKept && readHasNoLargeAnon(vmstat);
  return { hasNoLazyFree, hasNoKsm, hasNoLargeAnon };
}

/**
 * Whether a process's anonymous pages' flags may be inferred: no lazily freeable page, no
 * hugetlb page (HugetlbPages 0 in its status), no KSM page possible; in kept rows also no
 * anonymous large folio, and never for the process whose pages are shown (`isFocus`).
 * `processDir` is its /proc/PID directory (ksm_stat is read only when KSM may have merged).
 */
export function processInference(
  f: FlagInference,
  status: string,
  processDir: string,
  isFocus: boolean,
): ProcessInference {
  const inferAnon =
    f.hasNoLazyFree &&
    parseStatusKb(status, 'HugetlbPages') === 0 &&
    (f.hasNoKsm || !isMergeable(processDir));
  return { inferAnon, keptInferAnon: inferAnon && f.hasNoLargeAnon && !isFocus };
}

/** Whether a process has an area KSM may merge; true where its ksm_stat does not say. */
function isMergeable(processDir: string): boolean {
  let text: string;
  try {
    text = readProcText(`${processDir}/ksm_stat`, STAT_LIMIT);
  } catch {
    return true;
  }
  return !/^ksm_mergeable: no$/m.test(text);
}
