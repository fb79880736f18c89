import { NeedsPrivilegeError, UsageError } from '../errors.js';
import { buildSharerIndex, sharersOfPage, sharesMostWith } from '../model/sharers.js';
import type { Sampler } from '../sampler/sampler.js';
import { formatBytes } from '../ui/format/size.js';
import { checkPids } from './snapshot.js';
import { sanitize } from '../ui/format/text.js';
import { formatJson } from '../ui/format/json-text.js';

export interface SharesArgs {
  pid: number;
  /** A virtual address in the process: list who maps that page. */
  page?: number;
  json: boolean;
  limit?: number;
}

/**
 * Who shares memory with a process: the processes ranked by bytes of its pages they map too;
 * with --page, every process that maps one page. Needs PFNs (root).
 */
export function renderShares(sampler: Sampler, args: SharesArgs): string {
  checkPids(sampler, [args.pid]);
  if (!sampler.privileged) throw new NeedsPrivilegeError('who shares a page');
  const snapshot = sampler.sample({ mappings: true, pages: true });
  const index = buildSharerIndex(snapshot.processes);
  const subject = snapshot.processes.findIndex((p) => p.pid === args.pid);
  const p = snapshot.processes[subject];
  if (!p?.pages || !p.mappings)
    throw new UsageError(`process ${args.pid} has no pages memtop may read`);
  const pageSize = snapshot.pageSize;
  if (args.page !== undefined) {
    const address = args.page - (args.page % pageSize);
    const m = p.mappings.find((x) => address >= x.start && address < x.end);
    let row = -1;
    if (m) {
      const pageIndex = (address - m.start) / pageSize;
      for (let r = m.pageBegin; r < m.pageEnd; r++) if (p.pages.pageIndex[r] === pageIndex) row = r;
    }
    const count = row < 0 ? 0 : p.pages.mapCount[row]!;
    const pfn = row < 0 ? 0 : p.pages.pfn[row]!;
    const sharers = row < 0 || count < 2 ? [] : sharersOfPage(index, pfn, pageSize);
    if (args.json)
      return (
        formatJson({
          pid: p.pid,
          address: `0x${address.toString(16)}`,
          pfn,
          mapCount: count,
          sharers: sharers.map((s) => ({ ...s, address: `0x${s.address.toString(16)}` })),
        }) + '\n'
      );
    const head = `page 0x${address.toString(16)} of ${sanitize(p.comm)} ${p.pid}: ${row < 0 ? 'not resident' : `PFN ${pfn}, map count ${count}`}`;
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

/** "0x7f00…" or decimal → a number, with a precise message otherwise. */
export function parseAddress(text: string): number {
  const value = /^0x[0-9a-f]+$/i.test(text)
    ? parseInt(text.slice(2), 16)
    : /^\d+$/.test(text)
      ? Number(text)
      : Number.NaN;
  if (!Number.isSafeInteger(value))
    throw new UsageError(`--page expects an address like 0x7f1234567000; got "${text}"`);
  return value;
}
