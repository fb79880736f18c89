import {
  AddressNotMappedError,
  NeedsPrivilegeError,
  OutsidePagemapError,
  ProcessRestrictedError,
  UsageError,
} from '../errors.js';
import { PM_PRESENT, PM_SWAPPED } from '../model/page-bits.js';
import { buildSharerIndex, sharersOfPage, sharesMostWith } from '../model/sharers.js';
import type { Sampler } from '../sampler/sampler.js';
import { formatBytes } from '../format/size.js';
import { checkPid, goneProblem } from './given-pids.js';
import { sanitize } from '../format/text.js';
import { formatJson } from '../format/json-text.js';

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
 * Who shares memory with a process: the processes ranked by bytes of its pages they map too;
 * with --page, every process that maps one page. Needs PFNs (root).
 */
export function renderShares(sampler: Sampler, args: SharesArgs): string {
  const pid = checkPid(sampler, args.pid);
  if (!sampler.privileged) throw new NeedsPrivilegeError('who shares a page');
  const snapshot = sampler.sample({ mappings: true, pages: true });
  const index = buildSharerIndex(snapshot.processes);
  const subject = snapshot.processes.findIndex((p) => p.pid === pid);
  const p = snapshot.processes[subject];
  if (!p) throw goneProblem(sampler, pid, snapshot.notices);
  if (!p.pages || !p.mappings) throw new ProcessRestrictedError(pid, sampler.privileged);
  const pageSize = snapshot.pageSize;
  if (args.page !== undefined) {
    const page = args.page - (args.page % BigInt(pageSize));
    const hex = `0x${page.toString(16)}`;
    // Every page-aligned address below 2^64 is an exact double.
    const address = Number(page);
    const m = p.mappings.find((x) => address >= x.start && address < x.end);
    if (!m) throw new AddressNotMappedError(`0x${args.page.toString(16)}`, p.pid, sanitize(p.comm));
    if (page >= KERNEL_HALF)
      throw new OutsidePagemapError(hex, p.pid, sanitize(m.path || 'a mapping'));
    const pageIndex = (address - m.start) / pageSize;
    let row = -1;
    for (let r = m.pageBegin; r < m.pageEnd; r++) if (p.pages.pageIndex[r] === pageIndex) row = r;
    const isResident = row >= 0 && (p.pages.pagemapBits[row]! & PM_PRESENT) !== 0;
    const count = isResident ? p.pages.mapCount[row]! : 0;
    const pfn = isResident ? p.pages.pfn[row]! : 0;
    const sharers = !isResident || count < 2 ? [] : sharersOfPage(index, pfn, pageSize);
    if (args.json)
      return (
        formatJson({
          pid: p.pid,
          address: hex,
          resident: isResident,
          pfn,
          mapCount: count,
          sharers: sharers.map((s) => ({ ...s, address: `0x${s.address.toString(16)}` })),
        }) + '\n'
      );
    const what = m.path ? sanitize(m.path) : 'anonymous memory';
    const state = isResident
      ? `PFN ${pfn}, map count ${count}`
      : `mapped (${what}) but not resident${row >= 0 && p.pages.pagemapBits[row]! & PM_SWAPPED ? ' (swapped out)' : ''}`;
    const head = `page ${hex} of ${sanitize(p.comm)} ${p.pid}: ${state}`;
    return (
      [
        head,
        ...sharers.map(
          (s) =>
            `  ${String(s.pid).padStart(7)} ${sanitize(s.comm)} at 0x${s.address.toString(16)}`,
        ),
      ].join('\n') + '\n'
    );
  }
  const all = sharesMostWith(index, subject, pageSize);
  const ranked = args.limit === undefined ? all : all.slice(0, args.limit);
  if (args.json) return formatJson({ pid: p.pid, comm: p.comm, sharesWith: ranked }) + '\n';
  const lines = [
    `${sanitize(p.comm)} ${p.pid} shares its pages with (bytes: distinct pages; mappings: page-table entries, as kpagecount counts them):`,
    `${'PID'.padStart(7)} ${'SHARED'.padStart(10)} ${'MAPPINGS'.padStart(9)} COMMAND`,
    ...ranked.map(
      (t) =>
        `${String(t.pid).padStart(7)} ${formatBytes(t.sharedBytes).padStart(10)} ${String(t.mappings).padStart(9)} ${sanitize(t.comm)}`,
    ),
  ];
  return lines.join('\n') + '\n';
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
