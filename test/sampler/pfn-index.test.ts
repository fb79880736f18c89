// The PFN index: marking, ranks and coalesced runs against a sorted, de-duplicated reference.
import { describe, expect, it } from 'vitest';
import {
  BLOCK_PFNS,
  PfnIndex,
  allocatePfnIndexBuffers,
  popcount32,
} from '../../src/sampler/pfn-index.js';

/** A small deterministic generator (xorshift32), so failures reproduce. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 2 ** 32;
  };
}

function referenceRuns(sorted: number[], maxGap: number, maxEntries: number): number[][] {
  const runs: number[][] = [];
  let first = -1;
  let last = -1;
  for (const p of sorted) {
    if (first >= 0 && p - last <= maxGap + 1 && p - first < maxEntries) last = p;
    else {
      if (first >= 0) runs.push([first, last - first + 1]);
      first = p;
      last = p;
    }
  }
  if (first >= 0) runs.push([first, last - first + 1]);
  return runs;
}

describe('PfnIndex', () => {
  it('counts bits like a loop does', () => {
    const next = rng(7);
    for (let i = 0; i < 1000; i++) {
      const x = Math.floor(next() * 2 ** 32) | 0;
      let n = 0;
      for (let b = 0; b < 32; b++) if (x & (1 << b)) n++;
      expect(popcount32(x)).toBe(n);
    }
    expect(popcount32(-1)).toBe(32);
    expect(popcount32(0)).toBe(0);
  });

  for (const shared of [false, true]) {
    it(`ranks marked PFNs in ascending order, duplicates once (${shared ? 'shared' : 'private'} buffers)`, () => {
      const limit = 50 * BLOCK_PFNS + 123;
      const index = new PfnIndex(allocatePfnIndexBuffers(limit, shared));
      const next = rng(42);
      const marked: number[] = [];
      // Clusters, scattered singles, block edges, the first and the last PFN.
      for (let i = 0; i < 3000; i++)
        marked.push(10 * BLOCK_PFNS + Math.floor(next() * 2 * BLOCK_PFNS));
      for (let i = 0; i < 500; i++) marked.push(Math.floor(next() * limit));
      marked.push(0, limit - 1, BLOCK_PFNS - 1, BLOCK_PFNS, 31, 32, 33);
      for (const p of marked) {
        if (shared) index.markShared(p);
        else index.mark(p);
      }
      for (const p of marked.slice(0, 100)) index.mark(p); // marking twice changes nothing
      const sorted = [...new Set(marked)].sort((a, b) => a - b);
      expect(index.finalize()).toBe(sorted.length);
      sorted.forEach((p, r) => expect(index.rank(p)).toBe(r));

      for (const [gap, max] of [
        [0, 1 << 16],
        [5, 1 << 16],
        [64, 100],
      ] as const) {
        const runs: number[][] = [];
        const ranks: number[] = [];
        index.forEachRun(gap, max, 0, Math.ceil(limit / BLOCK_PFNS), (first, count, rank) => {
          runs.push([first, count]);
          ranks.push(rank);
        });
        expect(runs).toEqual(referenceRuns(sorted, gap, max));
        runs.forEach(([first], k) => expect(ranks[k]).toBe(sorted.indexOf(first!)));
      }

      // Split walks cover every marked PFN exactly once.
      const covered: number[] = [];
      const blocks = Math.ceil(limit / BLOCK_PFNS);
      for (const [from, to] of [
        [0, 11],
        [11, 12],
        [12, blocks],
      ] as const) {
        index.forEachRun(5, 1 << 16, from, to, (first, count) => {
          for (let p = first; p < first + count; p++) {
            if (index.bits[p >>> 5]! & (1 << (p & 31))) covered.push(p);
          }
        });
      }
      expect(covered).toEqual(sorted);

      index.clear();
      expect(index.finalize()).toBe(0);
      expect(index.bits.every((w) => w === 0)).toBe(true);
      index.mark(77);
      expect(index.finalize()).toBe(1);
      expect(index.rank(77)).toBe(0);
    });
  }
});
