/**
 * Which cgroup each page the groups map is charged to (/proc/kpagecgroup: the inode of the
 * memory cgroup that the page is charged to, 0 for none): per group, the pages it maps that
 * another cgroup pays for (page cache another cgroup read first, pages of a process from
 * before it moved: v1 does not move charges), and the pages it pays for that only other
 * groups map.
 */
import type { GroupCharge } from './group-types.js';
import { PageKind, pageKind } from './page-bits.js';
import type { ProcessSample } from './types.js';

export interface ChargeInput {
  /** Memory cgroup inode of each PFN read; a PFN not in the map was not read. */
  pageCgroup: ReadonlyMap<number, number>;
  /** The inode of each group's cgroup, by group index; undefined where unknown. */
  groupInode: readonly (number | undefined)[];
}

/** Tallies the charges of distinct pages, each with the groups that map it. */
export class ChargeTally {
  private readonly groupOfInode = new Map<number, number>();
  private readonly elsewhere: Float64Array;
  private readonly onlyOthers: Float64Array;

  constructor(
    private readonly input: ChargeInput,
    private readonly pageSize: number,
  ) {
    const n = input.groupInode.length;
    this.elsewhere = new Float64Array(n);
    this.onlyOthers = new Float64Array(n);
    input.groupInode.forEach((ino, g) => {
      if (ino !== undefined) this.groupOfInode.set(ino, g);
    });
  }

  /** One distinct resident page, mapped by these groups. */
  page(pfn: number, groups: readonly number[]): void {
    const charged = this.input.pageCgroup.get(pfn);
    if (charged === undefined) return;
    for (const g of groups) {
      const own = this.input.groupInode[g];
      if (own !== undefined && own !== charged) this.elsewhere[g]! += this.pageSize;
    }
    const payer = this.groupOfInode.get(charged);
    if (payer !== undefined && !groups.includes(payer)) this.onlyOthers[payer]! += this.pageSize;
  }

  /** Per group; null where its cgroup's inode is unknown. */
  result(isKnown: readonly boolean[]): (GroupCharge | null)[] {
    return this.input.groupInode.map((ino, g) =>
      ino === undefined || !isKnown[g]
        ? null
        : {
            mappedChargedElsewhereBytes: this.elsewhere[g]!,
            chargedMappedByOthersBytes: this.onlyOthers[g]!,
          },
    );
  }
}

/** The distinct PFNs of the resident pages of processes read with map counts, ascending. */
export function residentPfns(processes: readonly ProcessSample[]): number[] {
  const seen = new Set<number>();
  for (const p of processes) {
    const t = p.pages;
    if (p.access !== 'pages' || !t) continue;
    for (let r = 0; r < t.count; r++) {
      if (pageKind(t.pagemapBits[r]!, t.kpageFlags[r]!, t.mapCount[r]!) === PageKind.Resident) {
        seen.add(t.pfn[r]!);
      }
    }
  }
  return [...seen].sort((a, b) => a - b);
}
