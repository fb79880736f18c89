// The observer correction on made-up kpagecount and pagemap files: the observer's mappings are
// taken out of each map count, pages it faulted in during the sample are counted as they are
// once it has them, and what it cannot have changed (the zero page, a page the sampled process
// alone maps) stays as read.
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COUNTER_KEYS, pssBytes } from '../../src/model/counters.js';
import { PM_EXCLUSIVE } from '../../src/model/page-bits.js';
import {
  differingPfns,
  readRanges,
  type ObserverSource,
  type PfnList,
} from '../../src/sampler/observer.js';
import { PageSampler, type PageJob, type PageJobResult } from '../../src/sampler/page-sampler.js';

const PAGE = 4096;
const MAX_PFN = 1 << 12;
const PRESENT = 0x80000000;
const FILE = 0x20000000;
/** kpageflags of a clean page-cache page: UPTODATE | LRU | MMAP. */
const FILE_FLAGS = (1 << 3) | (1 << 5) | (1 << 11);

let dir: string;
let countFd: number;
let flagsFd: number;
let countWriteFd: number;

/** Sets the kpagecount entry of a PFN in the made-up file. */
function setCount(pfn: number, count: number): void {
  const entry = Buffer.alloc(8);
  entry.writeUInt32LE(count, 0);
  writeSync(countWriteFd, entry, 0, 8, pfn * 8);
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'memtop-observer-'));
  const counts = Buffer.alloc(MAX_PFN * 8);
  const flags = Buffer.alloc(MAX_PFN * 8);
  for (let p = 0; p < MAX_PFN; p++) flags.writeUInt32LE(FILE_FLAGS, p * 8);
  writeFileSync(join(dir, 'kpagecount'), counts);
  writeFileSync(join(dir, 'kpageflags'), flags);
  countFd = openSync(join(dir, 'kpagecount'), 'r');
  countWriteFd = openSync(join(dir, 'kpagecount'), 'r+');
  flagsFd = openSync(join(dir, 'kpageflags'), 'r');
});

afterAll(() => {
  for (const fd of [countFd, countWriteFd, flagsFd]) closeSync(fd);
  rmSync(dir, { recursive: true, force: true });
});

/** A process mapping one file page by page: PFN pfns[i] at page i, present, not exclusive. */
function fileJob(name: string, pfns: number[], kept: boolean): PageJob {
  const bytes = Buffer.alloc(pfns.length * 8);
  pfns.forEach((pfn, i) => {
    bytes.writeUInt32LE(pfn, i * 8);
    bytes.writeUInt32LE((PRESENT | FILE) >>> 0, i * 8 + 4);
  });
  writeFileSync(join(dir, name), bytes);
  return {
    fd: openSync(join(dir, name), 'r'),
    ranges: {
      count: 1,
      start: Float64Array.of(0),
      end: Float64Array.of(pfns.length * PAGE),
      protNone: new Uint8Array(1),
    },
    kept,
    inferAnon: true,
  };
}

function list(pfns: number[]): PfnList {
  return { pfns: Float64Array.from(pfns), length: pfns.length };
}

/**
 * An observer that maps `before` when the sample starts and `after` once the counts are read;
 * `during` runs when the sample asks for them (the observer faulting pages in meanwhile).
 */
function observer(before: number[], after: number[], during = () => {}): ObserverSource {
  return {
    begin: () => {},
    end: () => {
      during();
      const a = list([...before].sort((x, y) => x - y));
      const b = list([...after].sort((x, y) => x - y));
      const changed = list([]);
      differingPfns(a, b, changed);
      return { mapped: b, changed };
    },
  };
}

function mapCounts(result: PageJobResult): number[] {
  if (result.status !== 'ok' || !result.pages) throw new Error('no page table');
  return Array.from(result.pages.mapCount);
}

function counter(result: PageJobResult, key: (typeof COUNTER_KEYS)[number]): number {
  if (result.status !== 'ok' || !result.mappingCounters) throw new Error('no counters');
  return result.mappingCounters[COUNTER_KEYS.indexOf(key)]!;
}

describe('the observer correction', () => {
  const sampler = () => new PageSampler(countFd, flagsFd, PAGE, 1);

  it('takes the observer’s mappings out of each map count, down to 1, never below', () => {
    // PFN 10: the process and the observer; 11: the process, the observer twice and another
    // process; 12: the process alone, read as 1; 13: the zero page (0); 14: the observer does
    // not map it.
    for (const [pfn, count] of [
      [10, 2],
      [11, 4],
      [12, 1],
      [13, 0],
      [14, 3],
    ] as const) {
      setCount(pfn, count);
    }
    const pfns = [10, 11, 12, 13, 14];
    const engine = sampler();
    const watched = observer([10, 11, 11, 12, 13], [10, 11, 11, 12, 13]);
    const [kept, compact] = engine.run(
      [fileJob('a', pfns, true), fileJob('b', pfns, false)],
      watched,
    );
    expect(mapCounts(kept!)).toEqual([1, 2, 1, 0, 3]);
    if (kept!.status !== 'ok') throw new Error('not read');
    // The page shared with the observer alone reads as pagemap would show it without it.
    const bits = Array.from(kept!.pages!.pagemapBits, (b) => (b & PM_EXCLUSIVE) !== 0);
    expect(bits).toEqual([true, false, false, false, false]);
    // Private: 10 and 12; shared: 11 (2) and 14 (3); 13 is no memory.
    expect(counter(compact!, 'ussBytes')).toBe(2 * PAGE);
    expect(counter(compact!, 'sharedBytes')).toBe(2 * PAGE);
    const pss = pssBytes({ pssFixed: counter(compact!, 'pssFixed') });
    expect(pss).toBe(Math.floor(2 * PAGE + PAGE / 2 + PAGE / 3));
    expect(engine.stats.observerPages).toBe(5);
    expect(engine.stats.observerRereads).toBe(0);
    // Without an observer the counts are the kernel's.
    expect(mapCounts(sampler().run([fileJob('c', pfns, true)])[0]!)).toEqual([2, 4, 1, 0, 3]);
  });

  it('counts a page the observer faulted in during the sample as it is once the observer has it', () => {
    // PFN 20: the observer faulted it in before its count was read (read 3: the process,
    // another, the observer); 21: after its count was read (read 2, then 3).
    setCount(20, 3);
    setCount(21, 2);
    const pfns = [20, 21];
    const engine = sampler();
    const watched = observer([], [20, 21], () => setCount(21, 3));
    const [kept, compact] = engine.run(
      [fileJob('d', pfns, true), fileJob('e', pfns, false)],
      watched,
    );
    expect(mapCounts(kept!)).toEqual([2, 2]);
    expect(counter(compact!, 'sharedBytes')).toBe(2 * PAGE);
    expect(counter(compact!, 'ussBytes')).toBe(0);
    expect(engine.stats.observerRereads).toBe(2);
  });

  it('counts a page the observer let go during the sample without it', () => {
    // PFN 30: mapped by the observer when the sample began, dropped before its count was read
    // (2: the process and another).
    setCount(30, 2);
    const engine = sampler();
    const [kept] = engine.run([fileJob('f', [30], true)], observer([30], []));
    expect(mapCounts(kept!)).toEqual([2]);
  });
});

describe('what the observer reads of its own mappings', () => {
  it('every mapping but private anonymous memory, nearby ones in one read', () => {
    const line = (from: number, to: number, perms: string, inode: number, path: string) =>
      `${from.toString(16)}-${to.toString(16)} ${perms} 00000000 08:01 ${inode}`.padEnd(73) + path;
    const maps = [
      line(0x400000, 0x402000, 'r-xp', 12, '/usr/bin/node'),
      line(0x402000, 0x403000, 'rw-p', 12, '/usr/bin/node'),
      line(0x500000, 0x600000, 'rw-p', 0, '[heap]'),
      line(0x700000, 0x701000, 'rw-p', 0, ''),
      line(0x800000, 0x802000, 'rw-s', 0, '/dev/zero (deleted)'),
      line(0xc00000, 0xc02000, 'r-xp', 0, '[vdso]'),
      line(0xa00000, 0xa01000, 'rw-p', 0, '[anon:v8]'),
      line(0x7ffd0000, 0x7ffe0000, 'rw-p', 0, '[stack]'),
      line(0xffffffffff600000, 0xffffffffff601000, '--xp', 0, '[vsyscall]'),
    ].join('\n');
    expect(readRanges(maps, PAGE)).toEqual([
      [0x400, 3],
      [0x800, 2],
      [0xc00, 2],
    ]);
  });

  it('finds the PFNs mapped a different number of times, once each', () => {
    const out = list([]);
    differingPfns(list([1, 2, 2, 5, 7]), list([2, 3, 5, 7, 7]), out);
    expect(Array.from(out.pfns.subarray(0, out.length))).toEqual([1, 2, 3, 7]);
  });
});
