/**
 * Who shares this page: an index from PFN to every (process, page) of a snapshot that maps it,
 * built from the shared pages (map count ≥ 2) of processes sampled with PFNs.
 */
import { PageKind, pageKind } from './page-bits.js';
import type { ProcessSample } from './types.js';

export interface SharerIndex {
  readonly processes: readonly ProcessSample[];
  /** Slot of each PFN in the open-addressing table; -1 when empty. */
  readonly keys: Float64Array;
  /** First reference of each slot; -1 when none. */
  readonly heads: Int32Array;
  /** Reference r: processes[owner[r]], row row[r] of its pages; next[r] chains the same PFN. */
  readonly owner: Uint32Array;
  readonly row: Uint32Array;
  readonly next: Int32Array;
}

function hash(pfn: number, mask: number): number {
  const lo = pfn >>> 0;
  const hi = Math.floor(pfn / 4294967296) >>> 0;
  return (Math.imul(lo ^ Math.imul(hi, 0x27d4eb2d), 0x9e3779b1) >>> 0) & mask;
}

function slotOf(index: Pick<SharerIndex, 'keys'>, pfn: number): number {
  const mask = index.keys.length - 1;
  let s = hash(pfn, mask);
  while (index.keys[s] !== -1 && index.keys[s] !== pfn) s = (s + 1) & mask;
  return s;
}

function isSharedResident(p: ProcessSample, r: number): boolean {
  const t = p.pages!;
  const count = t.mapCount[r]!;
  return count >= 2 && pageKind(t.pagemapBits[r]!, t.kpageFlags[r]!, count) === PageKind.Resident;
}

/** Builds the index over every process with per-page data and map counts. */
export function buildSharerIndex(processes: readonly ProcessSample[]): SharerIndex {
  let total = 0;
  for (const p of processes) {
    if (p.access !== 'pages' || !p.pages) continue;
    for (let r = 0; r < p.pages.count; r++) if (isSharedResident(p, r)) total++;
  }
  let capacity = 16;
  while (capacity < total * 2) capacity *= 2;
  const keys = new Float64Array(capacity).fill(-1);
  const heads = new Int32Array(capacity).fill(-1);
  const owner = new Uint32Array(total);
  const row = new Uint32Array(total);
  const next = new Int32Array(total);
  const index: SharerIndex = { processes, keys, heads, owner, row, next };
  let n = 0;
  processes.forEach((p, pi) => {
    if (p.access !== 'pages' || !p.pages) return;
    for (let r = 0; r < p.pages.count; r++) {
      if (!isSharedResident(p, r)) continue;
      const pfn = p.pages.pfn[r]!;
      const s = slotOf(index, pfn);
      keys[s] = pfn;
      owner[n] = pi;
      row[n] = r;
      next[n] = heads[s]!;
      heads[s] = n++;
    }
  });
  return index;
}

export interface PageSharer {
  pid: number;
  comm: string;
  /** Virtual address of the page in that process. */
  address: number;
}

/** Every sampled process mapping the page with this PFN (one entry per page-table mapping). */
export function sharersOfPage(index: SharerIndex, pfn: number, pageSize: number): PageSharer[] {
  const out: PageSharer[] = [];
  for (let r: number = index.heads[slotOf(index, pfn)]!; r !== -1; r = index.next[r]!) {
    const p = index.processes[index.owner[r]!]!;
    out.push({ pid: p.pid, comm: p.comm, address: addressOf(p, index.row[r]!, pageSize) });
  }
  return out.sort((a, b) => a.pid - b.pid || a.address - b.address);
}

function addressOf(p: ProcessSample, row: number, pageSize: number): number {
  const m = p.mappings?.find((x) => row >= x.pageBegin && row < x.pageEnd);
  return m ? m.start + p.pages!.pageIndex[row]! * pageSize : Number.NaN;
}

/** One process's sharing with another. */
export interface ShareTally {
  pid: number;
  startTime: number;
  comm: string;
  /** Bytes of the subject's pages that this process maps too (distinct pages). */
  sharedBytes: number;
  /** Page-table mappings of those pages in this process (what kpagecount counts). */
  mappings: number;
}

/**
 * The processes that share the most with `subject` (an index into index.processes), over the
 * subject's rows [begin, end) (default: all its pages), largest first.
 */
export function sharesMostWith(
  index: SharerIndex,
  subject: number,
  pageSize: number,
  begin = 0,
  end?: number,
): ShareTally[] {
  const p = index.processes[subject];
  if (!p?.pages || p.access !== 'pages') return [];
  const bytes = new Float64Array(index.processes.length);
  const ptes = new Float64Array(index.processes.length);
  const seen = new Int32Array(index.processes.length).fill(-1);
  const last = end ?? p.pages.count;
  for (let r = begin; r < last; r++) {
    if (!isSharedResident(p, r)) continue;
    for (
      let x: number = index.heads[slotOf(index, p.pages.pfn[r]!)]!;
      x !== -1;
      x = index.next[x]!
    ) {
      const q = index.owner[x]!;
      if (q === subject) continue;
      ptes[q]! += 1;
      if (seen[q] !== r) {
        seen[q] = r;
        bytes[q]! += pageSize;
      }
    }
  }
  const out: ShareTally[] = [];
  bytes.forEach((b, q) => {
    if (b === 0) return;
    const other = index.processes[q]!;
    out.push({
      pid: other.pid,
      startTime: other.startTime,
      comm: other.comm,
      sharedBytes: b,
      mappings: ptes[q]!,
    });
  });
  return out.sort((a, b) => b.sharedBytes - a.sharedBytes || a.pid - b.pid);
}
