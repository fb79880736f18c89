/**
 * Group-exclusive memory (see group-types.ts): per group, the resident pages all of whose
 * page-table mappings are the group's own rows, split as smaps splits a process's pages
 * (memoryClass, isDirtyPage: the same definitions as accountPages), and what the rest is
 * shared with.
 */
import { MemoryClass, PageKind, isDirtyPage, memoryClass, pageKind } from './page-bits.js';
import { ChargeTally, type ChargeInput } from './group-charges.js';
import type { ExclusiveCounters, GroupCharge, GroupShare } from './group-types.js';
import type { ProcessSample } from './types.js';

export interface ExclusiveInput {
  processes: readonly ProcessSample[];
  /** Group index of each process (processes[i] is in group groupOf[i]). */
  groupOf: ArrayLike<number>;
  /** Group keys, by index. */
  keys: readonly string[];
  pageSize: number;
  /** The sample has map counts (PFNs, kpagecount, kpageflags). */
  hasMapCounts: boolean;
  /** The cgroup each page is charged to, where /proc/kpagecgroup was read. */
  charges?: ChargeInput;
}

export interface ExclusiveResult {
  /** Per group; null when unknown. */
  exclusive: (ExclusiveCounters | null)[];
  /** Per group: resident bytes of distinct pages not held alone; null when unknown. */
  sharedOutBytes: (number | null)[];
  /** Per group: who maps the pages not held alone, most first. */
  sharesWith: GroupShare[][];
  /** Per group, with `charges`: pages charged across groups; null when unknown. */
  charges?: (GroupCharge | null)[];
}

/** How many other groups a group's "shares most with" list keeps. */
export const SHARES_KEPT = 5;

/** Where the group's pages are known page by page: every member read with map counts. */
function hasPages(p: ProcessSample): boolean {
  return p.access === 'pages' && p.pages !== undefined && p.scannedAtMs === undefined;
}

function emptyExclusive(): ExclusiveCounters {
  return { rssBytes: 0, anonBytes: 0, fileBytes: 0, shmemBytes: 0, cleanBytes: 0, dirtyBytes: 0 };
}

function addPage(into: ExclusiveCounters, kpageFlags: number, bytes: number): void {
  into.rssBytes += bytes;
  const cls = memoryClass(kpageFlags);
  if (cls === MemoryClass.Anon) into.anonBytes += bytes;
  else if (cls === MemoryClass.Shmem) into.shmemBytes += bytes;
  else into.fileBytes += bytes;
  if (isDirtyPage(kpageFlags)) into.dirtyBytes += bytes;
  else into.cleanBytes += bytes;
}

/**
 * The page-table entries each group has of each shared PFN (map count ≥ 2): per PFN a short
 * chain of (group, entries) cells, the PFN's map count and flags (of its first row).
 */
class SharedPfns {
  readonly slotOf = new Map<number, number>();
  readonly pfns: number[] = [];
  readonly mapCount: number[] = [];
  readonly flags: number[] = [];
  readonly head: number[] = [];
  readonly cellGroup: number[] = [];
  readonly cellEntries: number[] = [];
  readonly cellNext: number[] = [];

  add(pfn: number, group: number, mapCount: number, flags: number): void {
    let slot = this.slotOf.get(pfn);
    if (slot === undefined) {
      slot = this.head.length;
      this.slotOf.set(pfn, slot);
      this.pfns.push(pfn);
      this.mapCount.push(mapCount);
      this.flags.push(flags);
      this.head.push(-1);
    }
    for (let c = this.head[slot]!; c !== -1; c = this.cellNext[c]!) {
      if (this.cellGroup[c] === group) {
        this.cellEntries[c]! += 1;
        return;
      }
    }
    this.cellGroup.push(group);
    this.cellEntries.push(1);
    this.cellNext.push(this.head[slot]!);
    this.head[slot] = this.cellGroup.length - 1;
  }
}

/** Computes every group's exclusive memory and sharing in one pass over the page rows. */
export function computeExclusive(input: ExclusiveInput): ExclusiveResult {
  const { processes, groupOf, keys, pageSize } = input;
  const n = keys.length;
  const isKnown = new Array<boolean>(n).fill(input.hasMapCounts);
  processes.forEach((p, i) => {
    if (!hasPages(p)) isKnown[groupOf[i]!] = false;
  });
  const exclusive = keys.map(() => emptyExclusive());
  const sharedOut = new Float64Array(n);
  const shared = new SharedPfns();
  const charges = input.charges && new ChargeTally(input.charges, pageSize);
  const one = [0];
  // Every row read counts, also in groups left unknown: another group's pages it maps are
  // then shared with it, by name.
  processes.forEach((p, i) => {
    if (!input.hasMapCounts || !hasPages(p)) return;
    const g = groupOf[i]!;
    const t = p.pages!;
    for (let r = 0; r < t.count; r++) {
      const count = t.mapCount[r]!;
      const flags = t.kpageFlags[r]!;
      if (pageKind(t.pagemapBits[r]!, flags, count) !== PageKind.Resident) continue;
      // A page mapped once is its one mapper's: no lookup needed.
      if (count >= 2) {
        shared.add(t.pfn[r]!, g, count, flags);
        continue;
      }
      addPage(exclusive[g]!, flags, pageSize);
      if (charges) {
        one[0] = g;
        charges.page(t.pfn[r]!, one);
      }
    }
  });
  // Per group, the bytes each other group (index n: nobody listed) shares with it.
  const with_ = Array.from({ length: n }, () => new Map<number, number>());
  const groupsHere: number[] = [];
  for (let slot = 0; slot < shared.head.length; slot++) {
    let entries = 0;
    groupsHere.length = 0;
    for (let c = shared.head[slot]!; c !== -1; c = shared.cellNext[c]!) {
      entries += shared.cellEntries[c]!;
      groupsHere.push(shared.cellGroup[c]!);
    }
    charges?.page(shared.pfns[slot]!, groupsHere);
    // More entries than the count: the page was mapped again while the sample read it (the
    // count is the later figure); every mapping it has is still the group's own.
    if (groupsHere.length === 1 && entries >= shared.mapCount[slot]!) {
      addPage(exclusive[groupsHere[0]!]!, shared.flags[slot]!, pageSize);
      continue;
    }
    const isOutside = entries < shared.mapCount[slot]!;
    for (const g of groupsHere) {
      sharedOut[g]! += pageSize;
      const tally = with_[g]!;
      for (const h of groupsHere) if (h !== g) tally.set(h, (tally.get(h) ?? 0) + pageSize);
      if (isOutside) tally.set(n, (tally.get(n) ?? 0) + pageSize);
    }
  }
  return {
    exclusive: exclusive.map((e, g) => (isKnown[g] ? e : null)),
    sharedOutBytes: Array.from(sharedOut, (b, g) => (isKnown[g] ? b : null)),
    sharesWith: with_.map((tally, g) =>
      !isKnown[g]
        ? []
        : [...tally]
            .map(([h, sharedBytes]) => ({ key: h === n ? null : keys[h]!, sharedBytes }))
            .sort((a, b) => b.sharedBytes - a.sharedBytes || order(a.key, b.key))
            .slice(0, SHARES_KEPT),
    ),
    ...(charges ? { charges: charges.result(isKnown) } : {}),
  };
}

function order(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a < b ? -1 : 1;
}
