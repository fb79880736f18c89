import { USER_SPACE_END } from '../model/address-space.js';
import type { MapsEntry } from '../model/types.js';
import type { PageTableBuilder } from './page-table-builder.js';
import { preadFully } from './proc-files.js';

/** Bytes per pagemap read: 128 Ki entries, 512 MiB of address space with 4 KiB pages. */
const CHUNK_BYTES = 1 << 20;
/** pagemap bit 62 (swapped) and bit 63 (present), as seen in the high 32-bit word. */
const HI_PRESENT = 0x80000000;
const HI_PRESENT_OR_SWAPPED = 0xc0000000;
const HI_PFN_MASK = 0x7fffff;

/** One scratch buffer per sampler: the decode loop allocates nothing per page. */
export class PagemapReader {
  private readonly bytes = new Uint8Array(CHUNK_BYTES);
  private readonly words = new Uint32Array(this.bytes.buffer);

  constructor(private readonly pageSize: number) {}

  /**
   * Reads the pagemap entries of each mapping into `out`, keeping only present or swapped pages.
   * Returns each mapping's [begin, end) row range in the builder. A short read means the process
   * exited or the range lies beyond TASK_SIZE: the pages not returned are simply absent.
   */
  readMappings(fd: number, maps: readonly MapsEntry[], out: PageTableBuilder): Uint32Array {
    const ranges = new Uint32Array(maps.length * 2);
    for (let m = 0; m < maps.length; m++) {
      const entry = maps[m]!;
      ranges[2 * m] = out.count;
      if (entry.start < USER_SPACE_END) this.readRange(fd, entry, out);
      ranges[2 * m + 1] = out.count;
    }
    return ranges;
  }

  private readRange(fd: number, entry: MapsEntry, out: PageTableBuilder): void {
    const firstPage = entry.start / this.pageSize;
    const pageCount = (entry.end - entry.start) / this.pageSize;
    const words = this.words;
    for (let done = 0; done < pageCount;) {
      const want = Math.min(pageCount - done, CHUNK_BYTES / 8);
      const got = preadFully(fd, this.bytes, want * 8, (firstPage + done) * 8) >>> 3;
      for (let i = 0; i < got; i++) {
        const hi = words[2 * i + 1]!;
        if ((hi & HI_PRESENT_OR_SWAPPED) === 0) continue;
        const pfn = hi & HI_PRESENT ? words[2 * i]! + (hi & HI_PFN_MASK) * 4294967296 : 0;
        out.push(done + i, hi >>> 23, pfn);
      }
      if (got < want) return;
      done += got;
    }
  }
}
