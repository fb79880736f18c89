/**
 * Page transitions: two samples of one process compared page by page (same pid and start time,
 * same virtual page). This is what tells copy-on-write breaks from pages that others stopped
 * sharing, and pages that became shared from pages that moved.
 */
import { PM_EXCLUSIVE, PM_GUARD, PM_PRESENT, PM_SWAPPED, PageKind, pageKind } from './page-bits.js';
import { processKey } from './delta.js';
import type { Access, Mapping, PageTable, ProcessSample } from './types.js';

/** What happened to one virtual page between two samples. */
export const Change = {
  None: 0,
  /** Was shared (map count ≥ 2), now this process has its own copy (new PFN, map count 1). */
  CowBreak: 1,
  /** Same PFN, map count dropped to 1: the other sharers wrote their own copy or went away. */
  UnsharedByOthers: 2,
  /** Map count went from 1 to ≥ 2: fork, KSM merge, another process mapped the file page. */
  BecameShared: 3,
  /** Not resident before, resident now. */
  FaultedIn: 4,
  /** Resident (or in swap) before, gone now: freed, unmapped or reclaimed. */
  Freed: 5,
  SwappedOut: 6,
  SwappedIn: 7,
  /** New PFN without a sharing change: migration, compaction, or freed and faulted again. */
  Moved: 8,
  /** Without PFNs: the exclusive bit went 0 → 1 (a copy-on-write break or unshared by others). */
  BecamePrivate: 9,
} as const;
export type Change = (typeof Change)[keyof typeof Change];

/** Pages per class since the previous sample; null where the class cannot be known. */
export interface PageChanges {
  cowBreaks: number | null;
  unsharedByOthers: number | null;
  becameShared: number;
  faultedIn: number;
  freed: number;
  swappedOut: number;
  swappedIn: number;
  moved: number | null;
  /** Only without PFNs, where copy-on-write breaks and unsharing cannot be told apart. */
  becamePrivate?: number;
}

/** The changes of one process, its mappings (by index in `current.mappings`) and its pages. */
export interface ProcessChanges {
  totals: PageChanges;
  /** By index in `current.mappings`; mappings where nothing changed share one frozen record. */
  mappings: PageChanges[];
  /** One Change per row of current.pages: what happened to that page in the last interval. */
  pages: Uint8Array;
  /**
   * Time between the two reads of this process's pages compared (ms), where it differs from
   * the comparison's interval: a sample within a CPU budget reads a process's pages only
   * every few samples.
   */
  intervalMs?: number;
}

const ABSENT = 0;
const PRESENT = 1;
const SWAPPED = 2;

function state(access: Access, t: PageTable, row: number): number {
  const bits = t.pagemapBits[row]!;
  if (access === 'pages') {
    const kind = pageKind(bits, t.kpageFlags[row]!, t.mapCount[row]!);
    return kind === PageKind.Resident ? PRESENT : kind === PageKind.Swapped ? SWAPPED : ABSENT;
  }
  if (bits & PM_PRESENT) return PRESENT;
  return bits & PM_SWAPPED && !(bits & PM_GUARD) ? SWAPPED : ABSENT;
}

/** Map count, or with flags only: 1 when mapped exclusively, 2 standing for "≥ 2". */
function sharing(access: Access, t: PageTable, row: number): number {
  if (access === 'pages') return t.mapCount[row]!;
  return t.pagemapBits[row]! & PM_EXCLUSIVE ? 1 : 2;
}

function classify(access: Access, prev: PageTable, pr: number, cur: PageTable, cr: number): Change {
  const before = pr < 0 ? ABSENT : state(access, prev, pr);
  const after = cr < 0 ? ABSENT : state(access, cur, cr);
  if (before === ABSENT) {
    return after === PRESENT
      ? Change.FaultedIn
      : after === SWAPPED
        ? Change.SwappedOut
        : Change.None;
  }
  if (after === ABSENT) return Change.Freed;
  if (before === PRESENT && after === SWAPPED) return Change.SwappedOut;
  if (before === SWAPPED && after === PRESENT) return Change.SwappedIn;
  if (before === SWAPPED) return Change.None;
  const pc = sharing(access, prev, pr);
  const cc = sharing(access, cur, cr);
  if (access !== 'pages') {
    if (pc >= 2 && cc === 1) return Change.BecamePrivate;
    return pc === 1 && cc >= 2 ? Change.BecameShared : Change.None;
  }
  if (prev.pfn[pr] === cur.pfn[cr]) {
    if (pc >= 2 && cc === 1) return Change.UnsharedByOthers;
    return pc === 1 && cc >= 2 ? Change.BecameShared : Change.None;
  }
  if (pc >= 2 && cc === 1) return Change.CowBreak;
  if (pc === 1 && cc >= 2) return Change.BecameShared;
  return Change.Moved;
}

export function emptyChanges(withPfns: boolean): PageChanges {
  return withPfns
    ? {
        cowBreaks: 0,
        unsharedByOthers: 0,
        becameShared: 0,
        faultedIn: 0,
        freed: 0,
        swappedOut: 0,
        swappedIn: 0,
        moved: 0,
      }
    : {
        cowBreaks: null,
        unsharedByOthers: null,
        becameShared: 0,
        faultedIn: 0,
        freed: 0,
        swappedOut: 0,
        swappedIn: 0,
        moved: null,
        becamePrivate: 0,
      };
}

const NO_CHANGES: PageChanges = Object.freeze(emptyChanges(true));
const NO_CHANGES_WITHOUT_PFNS: PageChanges = Object.freeze(emptyChanges(false));

function count(into: PageChanges, change: Change): void {
  switch (change) {
    case Change.CowBreak:
      into.cowBreaks! += 1;
      break;
    case Change.UnsharedByOthers:
      into.unsharedByOthers! += 1;
      break;
    case Change.BecameShared:
      into.becameShared += 1;
      break;
    case Change.FaultedIn:
      into.faultedIn += 1;
      break;
    case Change.Freed:
      into.freed += 1;
      break;
    case Change.SwappedOut:
      into.swappedOut += 1;
      break;
    case Change.SwappedIn:
      into.swappedIn += 1;
      break;
    case Change.Moved:
      into.moved! += 1;
      break;
    case Change.BecamePrivate:
      into.becamePrivate! += 1;
      break;
  }
}

/**
 * The rows' virtual page numbers of each page table compared, kept while the table lives: the
 * current sample's are the previous sample's at the next comparison (a table and its mappings
 * never change once sampled), so each is computed once, not twice.
 */
const vpnsOf = new WeakMap<
  PageTable,
  { mappings: readonly Mapping[]; pageSize: number; vpns: Float64Array }
>();

/** Virtual page number of each row, in ascending order (maps is sorted, rows follow it). */
function rowVpns(mappings: readonly Mapping[], pages: PageTable, pageSize: number): Float64Array {
  const known = vpnsOf.get(pages);
  if (known?.mappings === mappings && known.pageSize === pageSize) return known.vpns;
  const vpns = new Float64Array(pages.count);
  for (const m of mappings) {
    const base = m.start / pageSize;
    for (let r = m.pageBegin; r < m.pageEnd; r++) vpns[r] = base + pages.pageIndex[r]!;
  }
  vpnsOf.set(pages, { mappings, pageSize, vpns });
  return vpns;
}

/**
 * Compares the pages of one process in two samples. Undefined when there is nothing to compare
 * (another process under the same pid, no pages on either side, or different access).
 */
export function diffProcessPages(
  previous: ProcessSample,
  current: ProcessSample,
  pageSize: number,
): ProcessChanges | undefined {
  const prev = previous.pages;
  const cur = current.pages;
  const access = current.access;
  if (!prev || !cur || !previous.mappings || !current.mappings) return undefined;
  if (previous.pid !== current.pid || previous.startTime !== current.startTime) return undefined;
  if (access === 'restricted' || previous.access !== access) return undefined;
  const withPfns = access === 'pages';
  const pv = rowVpns(previous.mappings, prev, pageSize);
  const cv = rowVpns(current.mappings, cur, pageSize);
  const totals = emptyChanges(withPfns);
  // A mapping where nothing changed shares one frozen record: no object per mapping.
  const unchanged = withPfns ? NO_CHANGES : NO_CHANGES_WITHOUT_PFNS;
  const mappings = new Array<PageChanges>(current.mappings.length).fill(unchanged);
  const pages = new Uint8Array(cur.count);
  // The merged walk visits pages in ascending address order, so one pointer finds the current
  // mapping that holds each page (freed pages of a mapping that is gone count in totals only).
  const list = current.mappings;
  let m = 0;
  const mappingAt = (vpn: number): PageChanges | undefined => {
    while (m < list.length && list[m]!.end / pageSize <= vpn) m++;
    const mapping = list[m];
    if (!mapping || mapping.start / pageSize > vpn) return undefined;
    if (mappings[m] === unchanged) mappings[m] = emptyChanges(withPfns);
    return mappings[m];
  };
  let i = 0;
  let j = 0;
  while (i < prev.count || j < cur.count) {
    const a = i < prev.count ? pv[i]! : Infinity;
    const b = j < cur.count ? cv[j]! : Infinity;
    let change: Change;
    if (a === b) change = classify(access, prev, i++, cur, j++);
    else if (a < b) change = classify(access, prev, i++, cur, -1);
    else change = classify(access, prev, -1, cur, j++);
    if (change === Change.None) continue;
    count(totals, change);
    if (a >= b) pages[j - 1] = change;
    const into = mappingAt(Math.min(a, b));
    if (into) count(into, change);
  }
  return { totals, mappings, pages };
}

/** Two snapshots compared: the changes of every process present in both, by pid:startTime. */
export interface SnapshotChanges {
  intervalMs: number;
  processes: Map<string, ProcessChanges>;
}

/** When a sample's pages of one process were read: the snapshot's time unless carried over. */
export function scanTimeOf(p: Pick<ProcessSample, 'scannedAtMs'>, snapshotTimeMs: number): number {
  return p.scannedAtMs ?? snapshotTimeMs;
}

/**
 * Compares every process of `current` whose pages were read in it with its own earlier read in
 * `previous`. A process carried over from an earlier read (see ProcessSample.scannedAtMs) is
 * not compared: nothing was read of it. Each comparison spans the real time between the two
 * reads of that process.
 */
export function diffSnapshots(
  previous: { timeMs: number; processes: readonly ProcessSample[] },
  current: { timeMs: number; pageSize: number; processes: readonly ProcessSample[] },
): SnapshotChanges {
  const before = new Map(previous.processes.map((p) => [processKey(p), p]));
  const processes = new Map<string, ProcessChanges>();
  for (const p of current.processes) {
    if (p.scannedAtMs !== undefined) continue;
    const old = before.get(processKey(p));
    const changes = old && diffProcessPages(old, p, current.pageSize);
    if (!changes) continue;
    const intervalMs = current.timeMs - scanTimeOf(old, previous.timeMs);
    processes.set(processKey(p), { ...changes, intervalMs });
  }
  return { intervalMs: current.timeMs - previous.timeMs, processes };
}

/** The interval one process's changes span (ms). */
export function changeIntervalMs(changes: SnapshotChanges, c: ProcessChanges): number {
  return c.intervalMs ?? changes.intervalMs;
}

/** The changes of one process in a comparison, if it was compared. */
export function changesOf(
  changes: SnapshotChanges | undefined,
  p: Pick<ProcessSample, 'pid' | 'startTime'>,
): ProcessChanges | undefined {
  return changes?.processes.get(processKey(p));
}

/** Pages per second. */
export function perSecond(pages: number | null, intervalMs: number): number | null {
  if (pages === null || intervalMs <= 0) return null;
  return (pages * 1000) / intervalMs;
}

/** One line of the events pane: "postgres 4211: 12.4 MiB became private-dirty in [heap]". */
export interface PageEvent {
  pid: number;
  comm: string;
  /** The mapping's path, or '' for anonymous memory. */
  path: string;
  start: number;
  kind:
    | 'cowBreaks'
    | 'becameShared'
    | 'unsharedByOthers'
    | 'faultedIn'
    | 'freed'
    | 'swappedOut'
    | 'swappedIn'
    | 'becamePrivate';
  pages: number;
}

const EVENT_KINDS: PageEvent['kind'][] = [
  'cowBreaks',
  'becamePrivate',
  'becameShared',
  'unsharedByOthers',
  'swappedOut',
  'swappedIn',
  'faultedIn',
  'freed',
];

/** The largest per-mapping changes of the interval, largest first. */
export function computeEvents(
  changes: SnapshotChanges,
  processes: readonly ProcessSample[],
  limit: number,
): PageEvent[] {
  const events: PageEvent[] = [];
  for (const p of processes) {
    const c = changes.processes.get(processKey(p));
    if (!c || !p.mappings) continue;
    c.mappings.forEach((mc, i) => {
      const m = p.mappings![i]!;
      for (const kind of EVENT_KINDS) {
        const pages = mc[kind];
        if (pages)
          events.push({ pid: p.pid, comm: p.comm, path: m.path, start: m.start, kind, pages });
      }
    });
  }
  events.sort((a, b) => b.pages - a.pages || a.pid - b.pid || a.start - b.start);
  return events.slice(0, limit);
}
