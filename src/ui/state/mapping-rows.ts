/**
 * The mapping view's rows without an object per mapping: a process may have 200,000 mappings,
 * so the list is an order (one Int32 a row) over the process's own Mapping objects, and a row
 * is built only when it is drawn. What a sample adds per mapping (Δ USS, file groups) is
 * computed once per sample, in typed arrays.
 */
import { computeChangeRates, sumPageChanges, type ChangeRates } from '../../model/change-rates.js';
import type { PageChanges, ProcessChanges } from '../../model/changes.js';
import { diffByStart, isRising, mappingColumns, processKey } from '../../model/delta.js';
import { indexFileGroups, type FileGroupIndex } from '../../model/group.js';
import { mappingSharedWith, type SharingReport } from '../../model/sharing-report.js';
import type { ShareTally } from '../../model/sharers.js';
import { USER_SPACE_END } from '../../model/address-space.js';
import { indexOfSorted } from '../../model/search.js';
import { SORT_KEYS, counterFor, type SortKey } from '../../model/sort.js';
import type { Mapping, ProcessSample } from '../../model/types.js';
import {
  isAscending,
  rankNames,
  sortPositions,
  sortValue,
  type ViewSortKey,
} from '../../model/view-sort.js';
import { addressWidth, type MappingRow } from '../../columns/mapping-columns.js';
import type { KeyedRows } from './list-cursor.js';

/** What the mapping rows show besides the mappings' own counters. */
export interface MappingExtras {
  /** The process's page changes since its last sample, and the interval they span. */
  changes?: { changes: ProcessChanges; intervalMs: number };
  pageSize: number;
  /** Whom the process shares the most with (root). */
  sharing?: SharingReport;
}

export const NO_EXTRAS: MappingExtras = { pageSize: 4096 };

/** One process's mappings and what a sample adds to them: built once per sample. */
export class MappingSource {
  readonly mappings: readonly Mapping[];
  /** Δ USS of each mapping since the previous sample; NaN where not known. */
  readonly deltaBytes: Float64Array;
  readonly hasPrevious: boolean;
  /** Each mapping's start address and USS, by index. */
  readonly starts: Float64Array;
  readonly ussBytes: Float64Array;
  readonly isByAddress: boolean;
  /** Hex digits of the address column (see addressWidth). */
  readonly addressDigits: number;
  /** Σ of the mappings' sizes, and of their Δ USS (undefined when any is not known). */
  readonly sizeBytes: number;
  readonly totalDeltaBytes: number | undefined;
  private readonly report: SharingReport | undefined;
  private files: { index: FileGroupIndex; rows: MappingRow[] } | undefined;
  private readonly columns = new Map<ViewSortKey, Float64Array>();

  /**
   * `prior`: the source built for the sample before (usually that of `previous`), whose
   * columns are reused rather than read again from its mappings.
   */
  constructor(
    readonly process: ProcessSample,
    readonly previous: ProcessSample | undefined,
    readonly extras: MappingExtras,
    prior?: MappingSource,
  ) {
    const mappings = process.mappings ?? [];
    const n = mappings.length;
    this.mappings = mappings;
    this.hasPrevious = previous?.mappings !== undefined;
    const starts = new Float64Array(n);
    const ussBytes = new Float64Array(n);
    let size = 0;
    let maxEnd = 0;
    for (let i = 0; i < n; i++) {
      const m = mappings[i]!;
      starts[i] = m.start;
      ussBytes[i] = m.counters.ussBytes;
      size += m.end - m.start;
      if (m.end > maxEnd && m.end <= USER_SPACE_END) maxEnd = m.end;
    }
    this.starts = starts;
    this.ussBytes = ussBytes;
    this.isByAddress = isRising(starts);
    const columns = { starts, ussBytes };
    const same = previous?.mappings && processKey(previous) === processKey(process);
    this.deltaBytes = !same
      ? new Float64Array(n).fill(Number.NaN)
      : diffByStart(
          prior?.process === previous ? prior : mappingColumns(previous.mappings!),
          columns,
        );
    let delta = 0;
    for (let i = 0; i < n; i++) delta += this.deltaBytes[i]!;
    this.sizeBytes = size;
    this.totalDeltaBytes = Number.isNaN(delta) ? undefined : delta;
    this.addressDigits = addressWidth([{ end: maxEnd }]);
    const sharing = extras.sharing;
    this.report =
      sharing?.pid === process.pid && sharing.startTime === process.startTime ? sharing : undefined;
  }

  /** Whether this source was built from these inputs. */
  isFor(
    process: ProcessSample,
    previous: ProcessSample | undefined,
    extras: MappingExtras,
  ): boolean {
    const a = this.extras;
    return (
      this.process === process &&
      this.previous === previous &&
      a.pageSize === extras.pageSize &&
      a.sharing === extras.sharing &&
      a.changes?.changes === extras.changes?.changes &&
      a.changes?.intervalMs === extras.changes?.intervalMs
    );
  }

  /** A column of the mappings' values under a sort key, read once per sample and key. */
  column(key: ViewSortKey): Float64Array {
    const cached = this.columns.get(key);
    if (cached) return cached;
    const n = this.mappings.length;
    let values: Float64Array;
    if (key === 'address') values = this.starts;
    else if (key === 'uss') values = this.ussBytes;
    else if (key === 'delta') values = this.deltaBytes;
    else if (key === 'name') values = rankNames(this.mappings.map((m) => m.path));
    else {
      values = new Float64Array(n);
      const isCounter = SORT_KEYS.includes(key as SortKey);
      for (let i = 0; i < n; i++) {
        const m = this.mappings[i]!;
        if (isCounter) values[i] = counterFor(key as SortKey, m.counters);
        else if (key === 'size') values[i] = m.end - m.start;
        else if (key === 'cow') values[i] = this.ratesOf(i)?.cowBytesPerSec ?? Number.NaN;
        else if (key === 'became-shared')
          values[i] = this.ratesOf(i)?.becameSharedBytesPerSec ?? Number.NaN;
        else values[i] = Number.NaN;
      }
    }
    this.columns.set(key, values);
    return values;
  }

  /** Index of the mapping starting at `start`; −1 when there is none. */
  indexOfStart(start: number): number {
    const starts = this.starts;
    return this.isByAddress ? indexOfSorted(starts, start) : starts.indexOf(start);
  }

  /** For each mapping of `old`, the index of the mapping with its start here (−1: none). */
  indexesOf(old: MappingSource): Int32Array {
    const from = old.starts;
    const to = this.starts;
    const out = new Int32Array(from.length).fill(-1);
    if (!old.isByAddress || !this.isByAddress) {
      for (let k = 0; k < from.length; k++) out[k] = this.indexOfStart(from[k]!);
      return out;
    }
    for (let k = 0, j = 0; k < from.length; k++) {
      while (j < to.length && to[j]! < from[k]!) j++;
      if (j < to.length && to[j] === from[k]) out[k] = j;
    }
    return out;
  }

  /** The file groups of several mappings, with their rows (computed once, when first grouped). */
  fileGroups(): { index: FileGroupIndex; rows: MappingRow[] } {
    if (this.files) return this.files;
    const index = indexFileGroups(this.mappings);
    const rows = index.groups.map((g): MappingRow => {
      let delta = 0;
      const changes: PageChanges[] = [];
      for (const i of g.members) {
        delta += this.deltaBytes[i]!;
        const c = this.changesOf(i);
        if (c) changes.push(c);
      }
      const c = this.extras.changes;
      const sum = c && changes.length === g.members.length ? sumPageChanges(changes) : undefined;
      return {
        key: `g:${g.key}`,
        kind: 'group',
        depth: 0,
        start: g.start,
        end: g.end,
        perms: '',
        offset: 0,
        path: g.path,
        counters: g.counters,
        sizeBytes: g.sizeBytes,
        deltaBytes: Number.isNaN(delta) ? undefined : delta,
        hasPrevious: this.hasPrevious,
        mappingCount: g.members.length,
        expanded: false,
        rates: sum && c && computeChangeRates(sum, c.intervalMs, this.extras.pageSize),
        sharedWith: this.report?.byGroup.get(g.key),
      };
    });
    this.files = { index, rows };
    return this.files;
  }

  private changesOf(i: number): PageChanges | undefined {
    return this.extras.changes?.changes.mappings[i];
  }

  /** Mapping i's page change rates; undefined when not known. */
  ratesOf(i: number): ChangeRates | undefined {
    const c = this.extras.changes;
    const at = this.changesOf(i);
    return c && at && computeChangeRates(at, c.intervalMs, this.extras.pageSize);
  }

  /** The row of mapping i, at depth 0 or under its group. */
  mappingRow(i: number, depth: number): MappingRow {
    const m = this.mappings[i]!;
    const delta = this.deltaBytes[i]!;
    return {
      key: `m:${m.start}`,
      kind: 'mapping',
      depth,
      start: m.start,
      end: m.end,
      perms: m.perms,
      offset: m.offset,
      path: m.path,
      counters: m.counters,
      sizeBytes: m.end - m.start,
      deltaBytes: Number.isNaN(delta) ? undefined : delta,
      hasPrevious: this.hasPrevious,
      mappingCount: 1,
      expanded: false,
      rates: this.ratesOf(i),
      sharedWith: this.sharedWith(m.start),
    };
  }

  private sharedWith(start: number): readonly ShareTally[] | undefined {
    return this.report && mappingSharedWith(this.report, start);
  }
}

/** How the rows are ordered and folded. */
export interface MappingOrder {
  sortKey: ViewSortKey;
  reverse: boolean;
  grouped: boolean;
  expanded: readonly string[];
}

/**
 * The rows in drawn order: refs[i] ≥ 0 is mapping refs[i] of the source, refs[i] < 0 is file
 * group −refs[i] − 1 (grouped only). A mapping of a group is drawn under it, at depth 1.
 */
export class MappingRows implements KeyedRows {
  constructor(
    readonly source: MappingSource | undefined,
    readonly refs: Int32Array,
    readonly order: MappingOrder,
    /** The order is one held while the user moves, not the sorted one. */
    readonly isHeld = false,
  ) {}

  get length(): number {
    return this.refs.length;
  }

  /** The groups drawn as rows (files with several mappings). */
  get groupCount(): number {
    return this.order.grouped && this.source ? this.source.fileGroups().rows.length : 0;
  }

  /** Row i, built now (only drawn rows are built). */
  at(i: number): MappingRow | undefined {
    const ref = this.refs[i];
    const source = this.source;
    if (ref === undefined || !source) return undefined;
    if (ref < 0) {
      const row = source.fileGroups().rows[-ref - 1]!;
      return this.order.expanded.includes(row.key) ? { ...row, expanded: true } : row;
    }
    const inGroup = this.order.grouped && source.fileGroups().index.groupOf[ref]! >= 0;
    return source.mappingRow(ref, inGroup ? 1 : 0);
  }

  /** Rows begin..end − 1, built now. */
  slice(begin: number, end: number): MappingRow[] {
    const rows: MappingRow[] = [];
    for (let i = Math.max(0, begin); i < Math.min(end, this.length); i++) rows.push(this.at(i)!);
    return rows;
  }

  keyAt(i: number): string {
    const ref = this.refs[i]!;
    const source = this.source!;
    if (ref < 0) return `g:${source.fileGroups().index.groups[-ref - 1]!.key}`;
    return `m:${source.mappings[ref]!.start}`;
  }

  indexOfKey(key: string): number {
    const ref = this.refOfKey(key);
    return ref === undefined ? -1 : this.refs.indexOf(ref);
  }

  /** The ref a row key stands for in this source, if any. */
  refOfKey(key: string): number | undefined {
    const source = this.source;
    if (!source) return undefined;
    if (key.startsWith('m:')) {
      const i = source.indexOfStart(Number(key.slice(2)));
      return i < 0 ? undefined : i;
    }
    if (!this.order.grouped) return undefined;
    const g = source.fileGroups().index.groups.findIndex((f) => `g:${f.key}` === key);
    return g < 0 ? undefined : -g - 1;
  }
}

export const NO_MAPPING_ROWS = new MappingRows(undefined, new Int32Array(0), {
  sortKey: 'address',
  reverse: false,
  grouped: false,
  expanded: [],
});

/** The value of each top-level row under a sort key (NaN: not known). */
function rowValues(source: MappingSource, refs: Int32Array, key: ViewSortKey): Float64Array {
  const column = source.column(key);
  const values = new Float64Array(refs.length);
  let hasGroups = false;
  for (let k = 0; k < refs.length; k++) {
    const r = refs[k]!;
    if (r >= 0) values[k] = column[r]!;
    else hasGroups = true;
  }
  if (!hasGroups) return values;
  const groups = source.fileGroups().rows;
  if (key === 'name') {
    // Files and mappings ranked together.
    const names = Array.from(refs, (r) => (r < 0 ? groups[-r - 1]! : source.mappings[r]!).path);
    return rankNames(names);
  }
  for (let k = 0; k < refs.length; k++) {
    const r = refs[k]!;
    if (r >= 0) continue;
    const g = groups[-r - 1]!;
    values[k] = sortValue(key, {
      counters: g.counters,
      deltaBytes: g.deltaBytes ?? Number.NaN,
      id: g.start,
      name: g.path,
      sizeBytes: g.sizeBytes,
      values: {
        cow: g.rates?.cowBytesPerSec ?? Number.NaN,
        'became-shared': g.rates?.becameSharedBytesPerSec ?? Number.NaN,
      },
    });
  }
  return values;
}

/** The mappings' indexes in address order. */
function addressOrder(source: MappingSource): Uint32Array {
  const n = source.mappings.length;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  if (!source.isByAddress) {
    const list = source.mappings;
    order.sort((a, b) => list[a]!.start - list[b]!.start);
  }
  return order;
}

/**
 * The rows of a process's mappings in drawn order: one per mapping, or one per file with the
 * mappings of unfolded files under it. Sorted as sortRowsBy sorts (ties by address).
 */
export function orderMappingRows(source: MappingSource, order: MappingOrder): MappingRows {
  const files = order.grouped ? source.fileGroups() : undefined;
  const groupOf = files?.index.groupOf;
  // Top-level rows in address order: a group at its lowest mapping.
  const byAddress = addressOrder(source);
  let top = new Int32Array(byAddress.length);
  let count = 0;
  for (let k = 0; k < byAddress.length; k++) {
    const i = byAddress[k]!;
    const g = groupOf ? groupOf[i]! : -1;
    if (g < 0) top[count++] = i;
    else if (files!.index.groups[g]!.members[0] === i) top[count++] = -g - 1;
  }
  if (count < top.length) top = top.slice(0, count);
  const ascending = isAscending(order.sortKey, order.reverse);
  let sorted = top;
  if (order.sortKey === 'address' && !ascending) sorted = top.slice().reverse();
  else if (order.sortKey !== 'address') {
    const positions = sortPositions(rowValues(source, top, order.sortKey), ascending);
    sorted = new Int32Array(count);
    for (let k = 0; k < count; k++) sorted[k] = top[positions[k]!]!;
  }
  if (!files || order.expanded.length === 0) return new MappingRows(source, sorted, order);
  const refs: number[] = [];
  for (const r of sorted) {
    refs.push(r);
    if (r < 0 && order.expanded.includes(files.rows[-r - 1]!.key)) {
      for (const i of files.index.groups[-r - 1]!.members) refs.push(i);
    }
  }
  return new MappingRows(source, Int32Array.from(refs), order);
}

/**
 * New rows in a held order: rows drawn before keep their places, new rows follow at the end in
 * their sorted order, rows that are gone drop out (as holdOrder does, by position, not by key).
 */
export function holdMappingRows(sorted: MappingRows, held: MappingRows): MappingRows {
  const source = sorted.source;
  if (!source || !held.source) return sorted;
  const n = sorted.length;
  const posOfMapping = new Int32Array(source.mappings.length).fill(-1);
  const groupCount = sorted.order.grouped ? source.fileGroups().rows.length : 0;
  const posOfGroup = new Int32Array(groupCount).fill(-1);
  for (let k = 0; k < n; k++) {
    const r = sorted.refs[k]!;
    if (r < 0) posOfGroup[-r - 1] = k;
    else posOfMapping[r] = k;
  }
  const used = new Uint8Array(n);
  const refs = new Int32Array(n);
  let out = 0;
  const moved = held.source === source ? undefined : source.indexesOf(held.source);
  for (let k = 0; k < held.length; k++) {
    const old = held.refs[k]!;
    let r: number | undefined;
    if (old < 0) r = sorted.refOfKey(held.keyAt(k));
    else r = moved ? moved[old]! : old;
    if (r === undefined || (old >= 0 && r < 0)) continue;
    const pos = r < 0 ? posOfGroup[-r - 1] : posOfMapping[r];
    if (pos === undefined || pos < 0 || used[pos]) continue;
    used[pos] = 1;
    refs[out++] = r;
  }
  for (let k = 0; k < n; k++) if (!used[k]) refs[out++] = sorted.refs[k]!;
  return new MappingRows(source, refs, sorted.order, true);
}
