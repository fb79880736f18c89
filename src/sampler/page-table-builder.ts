import type { PageTable } from '../model/types.js';

/**
 * Collects one process's pages into reusable growable columns; build() copies out an exact-size
 * PageTable, so the scratch columns are allocated once per sampler, not once per process.
 */
export class PageTableBuilder {
  count = 0;
  private pageIndex = new Uint32Array(1 << 16);
  private pagemapBits = new Uint16Array(1 << 16);
  private pfn = new Float64Array(1 << 16);

  reset(): void {
    this.count = 0;
  }

  push(pageIndex: number, pagemapBits: number, pfn: number): void {
    if (this.count === this.pageIndex.length) this.grow();
    const i = this.count++;
    this.pageIndex[i] = pageIndex;
    this.pagemapBits[i] = pagemapBits;
    this.pfn[i] = pfn;
  }

  build(): PageTable {
    const n = this.count;
    return {
      count: n,
      pageIndex: this.pageIndex.slice(0, n),
      pagemapBits: this.pagemapBits.slice(0, n),
      kpageFlags: new Uint32Array(n),
      mapCount: new Uint32Array(n),
      pfn: this.pfn.slice(0, n),
    };
  }

  private grow(): void {
    const size = this.pageIndex.length * 2;
    const pageIndex = new Uint32Array(size);
    pageIndex.set(this.pageIndex);
    const pagemapBits = new Uint16Array(size);
    pagemapBits.set(this.pagemapBits);
    const pfn = new Float64Array(size);
    pfn.set(this.pfn);
    this.pageIndex = pageIndex;
    this.pagemapBits = pagemapBits;
    this.pfn = pfn;
  }
}
