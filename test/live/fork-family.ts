// The live workload of the sampler tests: a fork family sharing a private region that each
// child has partly written, a MAP_SHARED anonymous region, a file mapped by several processes,
// a region only read (zero page); plus a sparse reservation and 20,000 small mappings.
import { closeSync, fsyncSync, mkdtempSync, openSync, rmSync, writeSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PAGE_SIZE, Workload } from '../helpers/workload.js';

export const ANON_PAGES = 256;
/** Pages [first, first + count) of the private region each child writes. */
export const CHILD_WRITES: readonly (readonly [number, number])[] = [
  [0, 64],
  [0, 128],
  [192, 64],
];
export const SHARED_PAGES = 64;
/**
 * Child 0 writes the first pages of the MAP_SHARED region. A write fault maps exactly the page
 * written; a read fault would map up to 16 neighbours too (fault-around).
 */
export const SHARED_TOUCHED_BY_CHILD0 = 32;
export const ZERO_PAGES = 32;
export const FILE_PAGES = 16;
/**
 * The other process maps only the first pages of the file: fault-around never maps pages
 * beyond the VMA, so it holds exactly these. Child 2 reads the whole file mapping.
 */
export const FILE_PAGES_OTHER = 8;
export const RESERVE_GIB = 64;
export const RESERVE_TOUCHED_MIB = 4;
export const MANY = 20_000;

export interface Family {
  parent: Workload;
  children: number[];
  /** A second process mapping the same file. */
  other: Workload;
  /** The process with the reservation and the 20,000 mappings. */
  sparse: Workload;
  anon: number;
  shared: number;
  zero: number;
  file: number;
  otherFile: number;
  reserve: number;
  manyFirst: number;
  manyStride: number;
  dir: string;
  stop(): Promise<void>;
}

/** Map count of page p of the private region in the parent (or a child that did not write p). */
export function sharedCount(p: number): number {
  return 1 + CHILD_WRITES.filter(([first, count]) => p < first || p >= first + count).length;
}

export function childWrote(child: number, p: number): boolean {
  const [first, count] = CHILD_WRITES[child]!;
  return p >= first && p < first + count;
}

/** The map count each process sees for page p of the private region (-1 = parent). */
export function anonCount(who: number, p: number): number {
  return who >= 0 && childWrote(who, p) ? 1 : sharedCount(p);
}

/** Builds the whole workload as `uid` (default: the test's own). */
export async function startFamily(opts: { uid?: number } = {}): Promise<Family> {
  const dir = mkdtempSync(join(tmpdir(), 'memtop-live-'));
  chmodSync(dir, 0o755);
  const path = join(dir, 'data.bin');
  const fd = openSync(path, 'w', 0o644);
  for (let p = 0; p < FILE_PAGES; p++) writeSync(fd, Buffer.alloc(PAGE_SIZE, p + 1));
  fsyncSync(fd); // clean page cache: the file pages are Shared_Clean, not dirty
  closeSync(fd);
  const ids = opts.uid === undefined ? {} : { uid: opts.uid, gid: opts.uid };
  const parent = await Workload.start(ids);
  const other = await Workload.start(ids);
  const sparse = await Workload.start(ids);
  const anon = await parent.anon(ANON_PAGES);
  const shared = await parent.shared(SHARED_PAGES);
  const zero = await parent.zero(ZERO_PAGES);
  const file = await parent.file(path, FILE_PAGES);
  const children = await parent.fork(CHILD_WRITES.length);
  for (let i = 0; i < CHILD_WRITES.length; i++) {
    const [first, count] = CHILD_WRITES[i]!;
    await parent.child(i).write(anon, first, count);
  }
  await parent.child(0).write(shared, 0, SHARED_TOUCHED_BY_CHILD0);
  await parent.child(2).touch(file, 0, FILE_PAGES);
  const otherFile = await other.file(path, FILE_PAGES_OTHER);
  const reserve = await sparse.reserve(RESERVE_GIB, RESERVE_TOUCHED_MIB);
  const many = await sparse.many(MANY);
  return {
    parent,
    children,
    other,
    sparse,
    anon,
    shared,
    zero,
    file,
    otherFile,
    reserve,
    manyFirst: many.first,
    manyStride: many.stride,
    dir,
    async stop() {
      await Promise.all([parent.stop(), other.stop(), sparse.stop()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
