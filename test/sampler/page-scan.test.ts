// The page engine read with populated ranges (as PAGEMAP_SCAN reports them) against the same
// engine reading every entry, on a made-up pagemap file: every counter and every kept page
// must come out the same, whatever the ranges look like and however the scan answers.
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PAGEMAP_GAP } from '../../src/sampler/page-engine.js';
import {
  PageSampler,
  type MappingRanges,
  type PageJob,
  type PageJobResult,
} from '../../src/sampler/page-sampler.js';
import { REGION_WORDS, type ScanFunction } from '../../src/sampler/pagemap-scan.js';

const PAGE = 4096;
const MAX_PFN = 1 << 16;
const PRESENT = 0x80000000;
const SWAPPED = 0x40000000;
const EXCLUSIVE = 0x01000000;
const FILE = 0x20000000;
const GUARD = 0x04000000;

let dir: string;
let countFd: number;
let flagsFd: number;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'memtop-scan-'));
  // kpagecount: PFN p is mapped 1 + p % 3 times; kpageflags: anonymous or file by parity.
  const counts = Buffer.alloc(MAX_PFN * 8);
  const flags = Buffer.alloc(MAX_PFN * 8);
  for (let p = 0; p < MAX_PFN; p++) {
    counts.writeUInt32LE(1 + (p % 3), p * 8);
    flags.writeUInt32LE(p % 2 ? (1 << 12) | (1 << 14) | (1 << 5) : (1 << 5) | (1 << 4), p * 8);
  }
  writeFileSync(join(dir, 'kpagecount'), counts);
  writeFileSync(join(dir, 'kpageflags'), flags);
  countFd = openSync(join(dir, 'kpagecount'), 'r');
  flagsFd = openSync(join(dir, 'kpageflags'), 'r');
});

afterAll(() => {
  closeSync(countFd);
  closeSync(flagsFd);
  rmSync(dir, { recursive: true, force: true });
});

/** A pagemap file: `entries` of [page index, high word, low word]; holes elsewhere. */
function pagemapFile(name: string, pages: number, entries: [number, number, number][]): number {
  const bytes = Buffer.alloc(pages * 8);
  for (const [page, hi, lo] of entries) {
    bytes.writeUInt32LE(lo >>> 0, page * 8);
    bytes.writeUInt32LE(hi >>> 0, page * 8 + 4);
  }
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return openSync(path, 'r');
}

/**
 * PAGEMAP_SCAN done by reading the file: a region per run of present or swapped entries
 * (split where present turns to swapped, as with return_mask PRESENT|SWAPPED), as many as the
 * output holds; a full output means the scan stopped there (as the native module's does).
 */
function fakeScan(calls: { n: number } = { n: 0 }): ScanFunction {
  return (fd, start, end, regions) => {
    calls.n++;
    const max = regions.length / REGION_WORDS;
    const bytes = Buffer.alloc(((end - start) / PAGE) * 8);
    const got = readSync(fd, bytes, 0, bytes.length, (start / PAGE) * 8) >>> 3;
    let found = 0;
    let open = -1;
    let kind = 0;
    const close = (at: number) => {
      const w = found * REGION_WORDS;
      regions.fill(0, w, w + REGION_WORDS);
      regions[w] = (open * PAGE) % 2 ** 32;
      regions[w + 1] = Math.floor((open * PAGE) / 2 ** 32);
      regions[w + 2] = (at * PAGE) % 2 ** 32;
      regions[w + 3] = Math.floor((at * PAGE) / 2 ** 32);
      found++;
      open = -1;
    };
    for (let page = start / PAGE; page < end / PAGE; page++) {
      const i = page - start / PAGE;
      const hi = i < got ? bytes.readUInt32LE(i * 8 + 4) : 0;
      const k = hi & PRESENT ? 1 : hi & SWAPPED ? 2 : 0;
      if (open >= 0 && k !== kind) close(page);
      if (found === max) return found;
      if (k !== 0 && open < 0) {
        open = page;
        kind = k;
      }
    }
    if (open >= 0) close(end / PAGE);
    return found;
  };
}

function ranges(list: [number, number][]): MappingRanges {
  return {
    count: list.length,
    start: Float64Array.from(list.map(([s]) => s * PAGE)),
    end: Float64Array.from(list.map(([, e]) => e * PAGE)),
    protNone: new Uint8Array(list.length),
  };
}

function run(scan: ScanFunction | undefined, jobs: PageJob[], threads = 1): PageJobResult[] {
  const sampler = new PageSampler(countFd, flagsFd, PAGE, threads, 0, scan, 'always');
  try {
    return sampler.run(jobs);
  } finally {
    sampler.close();
  }
}

/** A sparse layout: runs of pages here and there, swap entries, guard markers, a dense run. */
function layout(pages: number): [number, number, number][] {
  const out: [number, number, number][] = [];
  let pfn = 1;
  const add = (page: number, hi: number) => {
    out.push([page, hi, hi & PRESENT ? pfn : 0x1234]);
    pfn = (pfn * 7 + 3) % (MAX_PFN - 1) || 1;
  };
  for (let p = 0; p < 64; p++) add(p, PRESENT | EXCLUSIVE); // dense head
  for (let p = 1000; p < 1003; p++) add(p, PRESENT | FILE);
  add(1003, SWAPPED); // swap right after present pages
  add(1004, SWAPPED | GUARD); // a guard marker
  add(1100, PRESENT); // within PAGEMAP_GAP of the last
  for (let p = 5000; p < pages; p += 2) add(p, p % 4 ? PRESENT | EXCLUSIVE : PRESENT | FILE);
  add(pages - 1, PRESENT);
  return out;
}

describe('reading only populated ranges (PAGEMAP_SCAN)', () => {
  const PAGES = 300_000; // several read items of 128 Ki entries
  let fd: number;
  let jobs: PageJob[];

  beforeAll(() => {
    // Alternating pages from 5000 on: 10 k+ regions an item, more than one call holds.
    fd = pagemapFile('pagemap', PAGES, layout(PAGES).slice(0, 30_000));
    const maps = ranges([
      [0, 200],
      [900, 1200],
      [1300, 4000], // empty
      [4999, 150_000],
      [150_000, PAGES],
    ]);
    jobs = [
      { fd, ranges: maps, kept: false, inferAnon: true },
      { fd, ranges: maps, kept: false, inferAnon: false },
      { fd, ranges: maps, kept: true, inferAnon: true },
    ];
  });

  afterAll(() => closeSync(fd));

  it('counts every mapping and keeps every page as reading every entry does', () => {
    const whole = run(undefined, jobs);
    const calls = { n: 0 };
    const scanned = run(fakeScan(calls), jobs);
    expect(calls.n).toBeGreaterThan(0);
    expect(scanned).toEqual(whole);
    const kept = whole[2] as { pages: { count: number } };
    expect(kept.pages.count).toBeGreaterThan(10_000);
  });

  it('goes on where a full output stopped, and reads far fewer entries', () => {
    const whole = run(undefined, jobs);
    const calls = { n: 0 };
    const sampler = new PageSampler(countFd, flagsFd, PAGE, 1, 0, fakeScan(calls), 'always');
    try {
      expect(sampler.run(jobs)).toEqual(whole);
      expect(sampler.stats.pagemapScans).toBe(calls.n);
      // Items of alternating pages hold more regions than one output: the scan went on.
      const items = sampler.stats.pagemapReads;
      expect(calls.n).toBeGreaterThan(jobs.length * 4);
      expect(items).toBeGreaterThan(0);
      // Alternating pages are read in spans (gaps of 1 < PAGEMAP_GAP); the holes are not.
      expect(sampler.stats.pagemapEntries).toBeLessThan(sampler.stats.pagemapRangeEntries / 1.5);
      expect(PAGEMAP_GAP).toBeGreaterThan(1);
    } finally {
      sampler.close();
    }
  });

  it('counts and keeps the same pages when a sample runs in pieces of a few rows', () => {
    const whole = run(undefined, jobs);
    const sampler = new PageSampler(countFd, flagsFd, PAGE, 1, 0, undefined, 'auto');
    sampler.pieceBudget = { rows: 5_000, segs: 2 };
    try {
      expect(sampler.run(jobs)).toEqual(whole);
    } finally {
      sampler.close();
    }
  });

  it('reads again, with more room, the items of a process that holds more than it said', () => {
    const whole = run(undefined, jobs);
    // Row slots planned from a resident count far below what the pagemap holds.
    const understated = jobs.map((job) => ({ ...job, residentPages: 10 }));
    const sampler = new PageSampler(countFd, flagsFd, PAGE, 1, 0, undefined, 'auto');
    try {
      expect(sampler.run(understated)).toEqual(whole);
      expect(sampler.stats.rows).toBeGreaterThan(10_000);
    } finally {
      sampler.close();
    }
  });

  it('reads an item whole when the scan fails on it', () => {
    const whole = run(undefined, jobs);
    let n = 0;
    const flaky: ScanFunction = (fd2, start, end, regions) =>
      ++n % 3 === 0 ? -25 : fakeScan()(fd2, start, end, regions);
    expect(run(flaky, jobs)).toEqual(whole);
  });

  it('decodes many mappings of one read item against many populated ranges', () => {
    // 100 mappings of 100 pages, 200 apart (one read item); a page in every other one.
    const entries: [number, number, number][] = [];
    for (let i = 0; i < 100; i += 2) entries.push([1000 + i * 300 + (i % 7), PRESENT, 10 + i]);
    const manyFd = pagemapFile('many', 40_000, entries);
    try {
      const maps = ranges(
        Array.from({ length: 100 }, (_, i): [number, number] => [1000 + i * 300, 1100 + i * 300]),
      );
      const compact: PageJob = { fd: manyFd, ranges: maps, kept: false, inferAnon: true };
      const kept: PageJob = { ...compact, kept: true };
      const whole = run(undefined, [compact, kept]);
      expect(run(fakeScan(), [compact, kept])).toEqual(whole);
      expect((whole[1] as { pages: { count: number } }).pages.count).toBe(50);
    } finally {
      closeSync(manyFd);
    }
  });

  it('stops at a short read (a process that exited) as reading every entry does', () => {
    const shortFd = pagemapFile('short', 120_000, layout(120_000));
    try {
      const maps = ranges([[0, 200_000]]);
      const job: PageJob = { fd: shortFd, ranges: maps, kept: true, inferAnon: true };
      expect(run(fakeScan(), [job])).toEqual(run(undefined, [job]));
    } finally {
      closeSync(shortFd);
    }
  });
});
