import type { PageEvent } from '../model/changes.js';
import { processKey } from '../model/delta.js';
import type { SamplerCost } from '../model/sampler-cost.js';
import type { SortKey } from '../model/sort.js';
import type { ProcessSample, Snapshot } from '../model/types.js';
import { headerLines } from '../columns/header.js';
import type { ProcessRow } from '../columns/process-columns.js';
import { formatRow, formatTitle, unboundedLayout } from '../columns/table.js';
import { MAPPING_TEXT_COLUMNS, processTextColumns } from '../columns/text-columns.js';
import { formatAge } from '../format/text.js';
import { cutToWidth } from '../format/width.js';
import { formatEvents } from './events.js';

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
  return headerLines(snapshot, { kind: 'text' }, cost).map((line) => line.text);
}

/** A process as a row of the text table; with `timeMs` (the snapshot's), its data's age. */
function processRow(p: ProcessSample, timeMs: number | undefined): ProcessRow {
  return {
    key: processKey(p),
    process: p,
    deltaBytes: undefined,
    hasPrevious: false,
    treePrefix: '',
    rates: undefined,
    age: timeMs === undefined ? '' : formatAge(p, timeMs),
  };
}

/** The top-like text table of `memtop snapshot` and batch frames. */
export function formatTable(
  snapshot: Snapshot,
  processes: readonly ProcessSample[],
  options: TableOptions = {},
): string {
  // AGE: how old each row's per-page data is, shown when any row was not read in this sample.
  const ages = processes.some((p) => p.scannedAtMs !== undefined);
  const table = unboundedLayout(processTextColumns(ages));
  const mappings = unboundedLayout(MAPPING_TEXT_COLUMNS);
  const lines = [
    ...formatHeader(snapshot, options.cost),
    '',
    formatTitle(table, options.sortKey, options.reverse ?? false),
  ];
  for (const p of processes) {
    lines.push(formatRow(table, processRow(p, ages ? snapshot.timeMs : undefined)));
    if (options.mappings) for (const m of p.mappings ?? []) lines.push(formatRow(mappings, m));
  }
  const width = options.width;
  const cut = width ? lines.map((l) => cutToWidth(l, width)) : lines;
  return cut.join('\n') + '\n';
}

export interface TextFrameOptions extends TableOptions {
  /** The first frame: no blank line before it. */
  isFirst: boolean;
  /** The largest page changes since the previous frame (none in the first). */
  events?: { events: readonly PageEvent[]; intervalMs: number } | undefined;
}

/** A batch text frame: a blank line after the previous, the table, then the page changes. */
export function formatTextFrame(
  snapshot: Snapshot,
  processes: readonly ProcessSample[],
  options: TextFrameOptions,
): string {
  let text = (options.isFirst ? '' : '\n') + formatTable(snapshot, processes, options);
  const e = options.events;
  if (e) text += '\n' + formatEvents(e.events, snapshot.pageSize, e.intervalMs).join('\n') + '\n';
  return text;
}
