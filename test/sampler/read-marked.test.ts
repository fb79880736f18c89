// Phase 2 of the page engine, readMarked(): the entries of the marked PFNs of a kpage-like file
// land at their ranks, read from Node run by run or in batches through a readRuns function.
// The batched way is run with a readRuns written here over the same file (the native one is
// compared with reads from Node on the live kernel, test/live/scan.test.ts), across batches
// that end because they hold BATCH_RUNS runs and because their entries fill the scratch bytes.
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RUN_ENTRIES, newScratch, readMarked } from '../../src/sampler/page-engine.js';
import type { ReadRunsFunction } from '../../src/sampler/pagemap-scan.js';
import { PfnIndex, allocatePfnIndexBuffers } from '../../src/sampler/pfn-index.js';

/** Entries in the file: PFNs at or past it read as zeros. */
const FILE_ENTRIES = 1_200_000;
const MAX_PFN = 1_300_000;
let dir: string;
let fd: number;

/** The low word of entry p in the file. */
const entry = (p: number) => (p * 7 + 3) >>> 0;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'memtop-kpage-'));
  const words = new Uint32Array(FILE_ENTRIES * 2);
  for (let p = 0; p < FILE_ENTRIES; p++) words.set([entry(p), 0xdead], 2 * p);
  writeFileSync(join(dir, 'kpagecount'), words);
  fd = openSync(join(dir, 'kpagecount'), 'r');
});

afterAll(() => {
  closeSync(fd);
  rmSync(dir, { recursive: true, force: true });
});

/** readRuns as the native module does it, with readSync; counts its calls and runs. */
function fakeReadRuns(): ReadRunsFunction & { calls: number; runs: number } {
  const f = ((file: number, runs: Float64Array, count: number, out: Uint8Array) => {
    f.calls++;
    f.runs += count;
    let at = 0;
    for (let r = 0; r < count; r++) {
      const bytes = runs[3 * r + 1]! * 8;
      if (at + bytes > out.length) return -22;
      const got = readSync(file, out, at, bytes, runs[3 * r]! * 8);
      out.fill(0, at + got, at + bytes);
      at += bytes;
    }
    return at / 8;
  }) as ReadRunsFunction & { calls: number; runs: number };
  f.calls = 0;
  f.runs = 0;
  return f;
}

function marked(pfns: number[]): PfnIndex {
  const index = new PfnIndex(allocatePfnIndexBuffers(MAX_PFN, false));
  for (const p of pfns) index.mark(p);
  index.finalize();
  return index;
}

function read(index: PfnIndex, readRuns: ReadRunsFunction | undefined): Uint32Array {
  const out = new Uint32Array(index.size).fill(0xffffffff);
  const blocks = index.blocksInUse();
  const to = blocks.length === 0 ? 0 : blocks[blocks.length - 1]! + 1;
  readMarked(index, fd, 0, to, out, { ...newScratch(), readRuns });
  return out;
}

describe('readMarked', () => {
  it('reads every third PFN in ~100,000 runs, in batches of at most 4,096', () => {
    const pfns = Array.from({ length: 100_000 }, (_, i) => 10 + 3 * i);
    const index = marked(pfns);
    const expected = Uint32Array.from(pfns, entry);
    expect(read(index, undefined)).toEqual(expected);
    const batched = fakeReadRuns();
    expect(read(index, batched)).toEqual(expected);
    // Gaps of two PFNs are not bridged in batches: a run a PFN.
    expect(batched.runs).toBe(pfns.length);
    expect(batched.calls).toBe(Math.ceil(pfns.length / 4096));
  });

  it('reads long runs in batches that end when their entries fill the scratch bytes', () => {
    const pfns = Array.from({ length: 600_000 }, (_, i) => 50_000 + i);
    const index = marked(pfns);
    const batched = fakeReadRuns();
    expect(read(index, batched)).toEqual(Uint32Array.from(pfns, entry));
    expect(batched.runs).toBe(Math.ceil(pfns.length / RUN_ENTRIES));
    expect(batched.calls).toBeGreaterThan(1);
  });

  it('reads PFNs past the end of the file as zeros, both ways', () => {
    const pfns = [5, FILE_ENTRIES - 2, FILE_ENTRIES - 1, FILE_ENTRIES, FILE_ENTRIES + 40];
    const index = marked(pfns);
    const expected = Uint32Array.from(pfns, (p) => (p < FILE_ENTRIES ? entry(p) : 0));
    expect(read(index, undefined)).toEqual(expected);
    expect(read(index, fakeReadRuns())).toEqual(expected);
  });

  it('fails with the errno name when a batch cannot be read, and holds no state after', () => {
    const index = marked([1, 100, 10_000]);
    const failing = (() => -5) as ReadRunsFunction;
    expect(() => read(index, failing)).toThrow('reading kpagecount or kpageflags failed: EIO');
    expect(read(index, fakeReadRuns())).toEqual(Uint32Array.from([1, 100, 10_000], entry));
  });
});
