import type { PageFacts } from '../model/page-lookup.js';
import type { PageSharer, ShareTally } from '../model/sharers.js';
import type { ProcessSample, Snapshot } from '../model/types.js';
import { formatRow, formatTitle, unboundedLayout } from '../columns/table.js';
import { SHARE_TEXT_COLUMNS } from '../columns/text-columns.js';
import { sanitize } from '../format/text.js';
import { formatDocument } from './envelope.js';
import { formatHex } from '../format/size.js';

/** Whom `memtop shares PID` was asked about, and what it found. */
export interface SharesReport {
  snapshot: Snapshot;
  process: ProcessSample;
  /** The processes mapping its pages, largest first (cut by --limit). */
  sharesWith: readonly ShareTally[];
}

/** `memtop shares PID`: the processes mapping its pages, ranked by bytes. */
export function formatShares(r: SharesReport, json: boolean): string {
  const p = r.process;
  if (json)
    return formatDocument(r.snapshot, { pid: p.pid, comm: p.comm, sharesWith: r.sharesWith });
  const table = unboundedLayout(SHARE_TEXT_COLUMNS);
  const lines = [
    `${sanitize(p.comm)} ${p.pid} shares its pages with (bytes: distinct pages; mappings: page-table entries, as kpagecount counts them):`,
    formatTitle(table, undefined, false),
    ...r.sharesWith.map((tally) => formatRow(table, { key: '', tally, relation: '' })),
  ];
  return lines.join('\n') + '\n';
}

/** Who maps one page of the process (`memtop shares PID --page ADDR`). */
export interface PageSharersReport {
  snapshot: Snapshot;
  process: ProcessSample;
  page: PageFacts;
  /** Every sampled process mapping it (empty when it is not resident or not shared). */
  sharers: readonly PageSharer[];
}

/** `memtop shares PID --page ADDR`: the page's state, then each process mapping it. */
export function formatPageSharers(r: PageSharersReport, json: boolean): string {
  const { process: p, page } = r;
  const address = formatHex(page.address);
  if (json) {
    return formatDocument(r.snapshot, {
      pid: p.pid,
      address,
      resident: page.isResident,
      pfn: page.pfn,
      mapCount: page.mapCount,
      sharers: r.sharers.map((s) => ({ ...s, address: formatHex(s.address) })),
    });
  }
  const what = page.mapping.path ? sanitize(page.mapping.path) : 'anonymous memory';
  const state = page.isResident
    ? `PFN ${page.pfn}, map count ${page.mapCount}`
    : `mapped (${what}) but not resident${page.isSwapped ? ' (swapped out)' : ''}`;
  const lines = [
    `page ${address} of ${sanitize(p.comm)} ${p.pid}: ${state}`,
    ...r.sharers.map(
      (s) => `  ${String(s.pid).padStart(7)} ${sanitize(s.comm)} at ${formatHex(s.address)}`,
    ),
  ];
  return lines.join('\n') + '\n';
}
