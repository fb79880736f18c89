/**
 * Bit layouts of /proc/PID/pagemap and /proc/kpageflags (Documentation/admin-guide/mm/pagemap.rst,
 * include/uapi/linux/kernel-page-flags.h), and the per-page classification built on them.
 */

/** pagemap bits 55..63, stored shifted down by 55 in PageTable.pagemapBits. */
export const PM_SOFT_DIRTY = 1 << 0; // bit 55
export const PM_EXCLUSIVE = 1 << 1; // bit 56: mapped exactly once
export const PM_UFFD_WP = 1 << 2; // bit 57
export const PM_GUARD = 1 << 3; // bit 58 (6.15+), comes with bit 62
export const PM_FILE = 1 << 6; // bit 61: file page or shared anonymous
export const PM_SWAPPED = 1 << 7; // bit 62: any non-present, non-none entry
export const PM_PRESENT = 1 << 8; // bit 63

/** Stable kpageflags bits. */
export const KPF_LOCKED = 1 << 0;
export const KPF_REFERENCED = 1 << 2;
export const KPF_DIRTY = 1 << 4;
export const KPF_LRU = 1 << 5;
export const KPF_MMAP = 1 << 11;
export const KPF_ANON = 1 << 12;
export const KPF_SWAPCACHE = 1 << 13;
export const KPF_SWAPBACKED = 1 << 14;
export const KPF_COMPOUND_HEAD = 1 << 15;
export const KPF_COMPOUND_TAIL = 1 << 16;
export const KPF_HUGE = 1 << 17;
export const KPF_KSM = 1 << 21;
export const KPF_THP = 1 << 22;
export const KPF_ZERO_PAGE = 1 << 24;

/**
 * The kpageflags of an anonymous page whose flags were not read: ANON and SWAPBACKED. The
 * sampler infers them instead of reading kpageflags only for pages that pagemap shows as
 * anonymous (bit 61 clear), in processes without hugetlb pages, only while no page has ever
 * been made lazily freeable (MADV_FREE; /proc/vmstat pglazyfree is 0), and only where no page
 * can be a KSM page (KSM stopped with nothing merged, or the process has no mergeable area).
 * Then every such page is a swap-backed anonymous page that is not KSM's (or the zero page,
 * whose map count 0 already makes it no memory), and these flags count it exactly as its own
 * would. The conditions are one value a sample: FlagInference (sampler/flag-inference.ts).
 */
export const INFERRED_ANON_FLAGS = KPF_ANON | KPF_SWAPBACKED;

/** What a stored page is, decided from its pagemap bits and kpageflags. */
export const PageKind = {
  /** Present and memory (map count >= 1). */
  Resident: 0,
  /** A swap entry. */
  Swapped: 1,
  /** Present, but not memory: the zero page, a PFN-mapped device page, hugetlb (counted apart). */
  NotMemory: 2,
  /** A marker in the page table (guard region, uffd-wp on an empty page): no memory. */
  Marker: 3,
} as const;
export type PageKind = (typeof PageKind)[keyof typeof PageKind];

/** Classifies one stored page. Needs kpageflags/kpagecount: use only on 'pages' access. */
export function pageKind(pagemapBits: number, kpageFlags: number, mapCount: number): PageKind {
  if (pagemapBits & PM_PRESENT) {
    if (mapCount === 0 || kpageFlags & (KPF_ZERO_PAGE | KPF_HUGE)) return PageKind.NotMemory;
    return PageKind.Resident;
  }
  if (pagemapBits & PM_SWAPPED) {
    if (pagemapBits & PM_GUARD) return PageKind.Marker;
    return PageKind.Swapped;
  }
  return PageKind.Marker;
}

/** The kernel's notion of a dirty page for smaps' *_Dirty fields. */
export function isDirtyPage(kpageFlags: number): boolean {
  if (kpageFlags & KPF_DIRTY) return true;
  // Anonymous memory is dirty by nature, unless MADV_FREE made it lazily freeable
  // (the kernel clears SWAPBACKED then).
  return (kpageFlags & KPF_ANON) !== 0 && (kpageFlags & KPF_SWAPBACKED) !== 0;
}

/** anon, shmem (swap-backed but not anonymous: shmem, tmpfs, MAP_SHARED anon) or file. */
export const MemoryClass = { Anon: 0, Shmem: 1, File: 2 } as const;
export type MemoryClass = (typeof MemoryClass)[keyof typeof MemoryClass];

export function memoryClass(kpageFlags: number): MemoryClass {
  if (kpageFlags & KPF_ANON) return MemoryClass.Anon;
  if (kpageFlags & KPF_SWAPBACKED) return MemoryClass.Shmem;
  return MemoryClass.File;
}
