import type { SortKey } from '../model/sort.js';
import type { Mapping, ProcessSample, Snapshot } from '../model/types.js';
import { sizeCells, sizeTitles } from '../columns/size-columns.js';
import { fit, formatAddress, formatBytes } from '../format/size.js';
import type { SamplerCost } from '../store/contract.js';
import { formatSamplerCost, formatSums } from '../ui/header.js';
import { formatAge, sanitize } from '../format/text.js';
import { cutToWidth } from '../format/width.js';

export interface TableOptions {
  sortKey?: SortKey;
  reverse?: boolean;
  /** Terminal width; lines are cut to it. Default: no limit. */
  width?: number;
  mappings?: boolean;
  /** The sampler's own cost (batch frames): a line under the first. */
  cost?: SamplerCost;
}

/**
 * The summary lines above any table: host, kernel, time, privilege, memory, and the sample's
 * time; with `cost` (batch frames) that time moves to a line of the sampler's cost under the
 * first, as in the interactive view's header.
 */
export function formatHeader(snapshot: Snapshot, cost?: SamplerCost): string[] {
  const t = snapshot.totals;
  const time = new Date(snapshot.timeMs).toISOString().replace('T', ' ').slice(0, 19);
  const mode = snapshot.privileged ? 'full per-page view' : 'limited view';
  const sample = cost ? '' : `sample ${snapshot.costMs.toFixed(0)} ms  `;
  return [
    `memtop - ${snapshot.hostname}  Linux ${snapshot.kernel}  ${time} UTC  ${sample}${mode}`,
    ...(cost ? [formatSamplerCost(cost).text] : []),
    `Mem: ${formatBytes(t.memTotalBytes)} total, ${formatBytes(t.memAvailableBytes)} available   ` +
      formatSums(t),
    ...snapshot.notices.map((n) => `note: ${n}`),
  ];
}

const PID_WIDTH = 7;
const USER_WIDTH = 9;
const AGE_WIDTH = 4;

/** The title line; `ages`: with the AGE column (a frame within a budget). */
export function processTitle(sortKey?: SortKey, reverse = false, ages = false): string {
  return [
    fit('PID', PID_WIDTH, 'right'),
    fit('USER', USER_WIDTH),
    ...sizeTitles(sortKey, reverse),
    ...(ages ? [fit('AGE', AGE_WIDTH, 'right')] : []),
    'COMMAND',
  ].join(' ');
}

/** One process; with `timeMs` (the snapshot's), the age of its per-page data. */
export function processRow(p: ProcessSample, timeMs?: number): string {
  const command = sanitize(p.cmdline || `[${p.comm}]`);
  return [
    fit(String(p.pid), PID_WIDTH, 'right'),
    fit(sanitize(p.user), USER_WIDTH),
    ...sizeCells(p.totals, p.access === 'restricted'),
    ...(timeMs === undefined ? [] : [fit(formatAge(p, timeMs), AGE_WIDTH, 'right')]),
    command,
  ].join(' ');
}

/** A maps-style description of a mapping: "7f..-7f.. r-xp /usr/lib/libc.so.6". */
export function mappingLabel(m: Mapping): string {
  return `${formatAddress(m.start)}-${formatAddress(m.end)} ${m.perms} ${sanitize(m.path) || '[anon]'}`;
}

function mappingRows(p: ProcessSample): string[] {
  const rows = (p.mappings ?? []).map(
    (m) =>
      `${' '.repeat(PID_WIDTH + USER_WIDTH + 2)}${sizeCells(m.counters, false).join(' ')} ${mappingLabel(m)}`,
  );
  return rows;
}

/** The top-like text table of `memtop snapshot` and batch frames. */
export function formatTable(
  snapshot: Snapshot,
  processes: readonly ProcessSample[],
  options: TableOptions = {},
): string {
  // AGE: how old each row's per-page data is, shown when any row was not read in this sample.
  const ages = processes.some((p) => p.scannedAtMs !== undefined);
  const title = processTitle(options.sortKey, options.reverse, ages);
  const header = formatHeader(snapshot, options.cost);
  const lines = [...header, '', title];
  for (const p of processes) {
    lines.push(processRow(p, ages ? snapshot.timeMs : undefined));
    if (options.mappings) lines.push(...mappingRows(p));
  }
  const width = options.width;
  const cut = width ? lines.map((l) => cutToWidth(l, width)) : lines;
  return cut.join('\n') + '\n';
}
