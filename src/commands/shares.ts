import {
  AddressNotMappedError,
  NeedsPrivilegeError,
  OutsidePagemapError,
  ProcessRestrictedError,
  UsageError,
} from '../errors.js';
import { lookUpPage } from '../model/page-lookup.js';
import { buildSharerIndex, sharersOfPage, sharesMostWith } from '../model/sharers.js';
import type { Sampler } from '../sampler/sampler.js';
import { sanitize } from '../format/text.js';
import { formatPageSharers, formatShares } from '../output/shares.js';
import { checkPid, goneProblem } from './given-pids.js';

export interface SharesArgs {
  pid: number;
  /** A virtual address in the process (any 64-bit value): list who maps that page. */
  page?: bigint;
  json: boolean;
  limit?: number;
}

/** User space ends below 2^57 on every Linux architecture; the kernel's half starts at 2^63. */
const KERNEL_HALF = 2n ** 63n;

/**
 * Writes who shares memory with a process: the processes ranked by bytes of its pages they map
 * too; with --page, every process that maps one page. Needs PFNs (root).
 */
export function runShares(sampler: Sampler, args: SharesArgs, write: (text: string) => void) {
  const pid = checkPid(sampler, args.pid);
  if (!sampler.privileged) throw new NeedsPrivilegeError('who shares a page');
  const snapshot = sampler.sample({ mappings: true, pages: true });
  const index = buildSharerIndex(snapshot.processes);
  const subject = snapshot.processes.findIndex((p) => p.pid === pid);
  const p = snapshot.processes[subject];
  if (!p) throw goneProblem(sampler, pid, snapshot.notices);
  if (!p.pages || !p.mappings) throw new ProcessRestrictedError(pid, sampler.privileged);
  const pageSize = snapshot.pageSize;
  if (args.page === undefined) {
    const all = sharesMostWith(index, subject, pageSize);
    const sharesWith = args.limit === undefined ? all : all.slice(0, args.limit);
    write(formatShares({ snapshot, process: p, sharesWith }, args.json));
    return;
  }
  const aligned = args.page - (args.page % BigInt(pageSize));
  // Every page-aligned address below 2^64 is an exact double.
  const page = lookUpPage(p, Number(aligned), pageSize);
  if (!page)
    throw new AddressNotMappedError(`0x${args.page.toString(16)}`, p.pid, sanitize(p.comm));
  if (aligned >= KERNEL_HALF)
    throw new OutsidePagemapError(
      `0x${aligned.toString(16)}`,
      p.pid,
      sanitize(page.mapping.path || 'a mapping'),
    );
  const sharers = page.mapCount < 2 ? [] : sharersOfPage(index, page.pfn, pageSize);
  write(formatPageSharers({ snapshot, process: p, page, sharers }, args.json));
}

/** "0x7f00…" or decimal, any 64-bit address, with a precise message otherwise. */
export function parseAddress(text: string): bigint {
  const trimmed = text.trim();
  const value =
    /^0x[0-9a-f]{1,16}$/i.test(trimmed) || /^\d{1,20}$/.test(trimmed) ? BigInt(trimmed) : undefined;
  if (value === undefined || value >= 2n ** 64n)
    throw new UsageError(
      `--page expects a 64-bit address like 0x7f1234567000 (hex, or decimal); got "${text}"`,
    );
  return value;
}
