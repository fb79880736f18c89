// accountPages(): counting n alike pages at once is counting each of them, and the inferred
// flags of an exclusive anonymous page count it as its real flags would.
import { describe, expect, it } from 'vitest';
import {
  COUNTER_KEYS,
  COUNTER_SLOTS,
  accountPages,
  computeCounters,
  countersAt,
} from '../../src/model/counters.js';
import {
  INFERRED_ANON_FLAGS,
  KPF_ANON,
  KPF_DIRTY,
  KPF_HUGE,
  KPF_KSM,
  KPF_LRU,
  KPF_SWAPBACKED,
  KPF_THP,
  KPF_ZERO_PAGE,
  PM_EXCLUSIVE,
  PM_FILE,
  PM_GUARD,
  PM_PRESENT,
  PM_SWAPPED,
} from '../../src/model/page-bits.js';
import type { PageTable } from '../../src/model/types.js';

const PAGE = 4096;
const BITS = [
  PM_PRESENT,
  PM_PRESENT | PM_EXCLUSIVE,
  PM_PRESENT | PM_FILE,
  PM_PRESENT | PM_FILE | PM_EXCLUSIVE,
  PM_SWAPPED,
  PM_SWAPPED | PM_GUARD,
];
const FLAGS = [
  0,
  KPF_ANON | KPF_SWAPBACKED,
  KPF_ANON,
  KPF_ANON | KPF_DIRTY,
  KPF_SWAPBACKED,
  KPF_SWAPBACKED | KPF_DIRTY,
  KPF_LRU,
  KPF_LRU | KPF_DIRTY,
  KPF_ZERO_PAGE,
  KPF_HUGE | KPF_ANON | KPF_SWAPBACKED,
  KPF_ANON | KPF_SWAPBACKED | KPF_THP,
  KPF_ANON | KPF_SWAPBACKED | KPF_KSM,
];
const COUNTS = [0, 1, 2, 3, 7, 1000];

describe('accountPages', () => {
  it('counts n alike pages as n single pages, for every kind of page', () => {
    for (const bits of BITS) {
      for (const flags of FLAGS) {
        for (const count of COUNTS) {
          const once = new Float64Array(COUNTER_SLOTS * 2);
          const many = new Float64Array(COUNTER_SLOTS * 2);
          for (let i = 0; i < 37; i++)
            accountPages(once, COUNTER_SLOTS, 1, bits, flags, count, PAGE);
          accountPages(many, COUNTER_SLOTS, 37, bits, flags, count, PAGE);
          expect(Array.from(many), `${bits} ${flags} ${count}`).toEqual(Array.from(once));
          expect(many.slice(0, COUNTER_SLOTS).every((x) => x === 0)).toBe(true);
        }
      }
    }
  });

  it('adds into the counters computeCounters() returns, field by field', () => {
    const n = BITS.length * FLAGS.length * COUNTS.length;
    const table: PageTable = {
      count: n,
      pageIndex: new Uint32Array(n),
      pagemapBits: new Uint16Array(n),
      kpageFlags: new Uint32Array(n),
      mapCount: new Uint32Array(n),
      pfn: new Float64Array(n),
    };
    const acc = new Float64Array(COUNTER_SLOTS);
    let row = 0;
    for (const bits of BITS) {
      for (const flags of FLAGS) {
        for (const count of COUNTS) {
          table.pagemapBits[row] = bits;
          table.kpageFlags[row] = flags;
          table.mapCount[row++] = count;
          accountPages(acc, 0, 1, bits, flags, count, PAGE);
        }
      }
    }
    const counters = computeCounters(table, 0, n, PAGE);
    expect(countersAt(acc, 0)).toEqual(counters);
    expect(Object.keys(counters).sort()).toEqual([...COUNTER_KEYS].sort());
  });

  it('counts an exclusive anonymous page with inferred flags as with its own swap-backed flags', () => {
    for (const real of [KPF_ANON | KPF_SWAPBACKED, KPF_ANON | KPF_SWAPBACKED | KPF_LRU | KPF_THP]) {
      const inferred = new Float64Array(COUNTER_SLOTS);
      const read = new Float64Array(COUNTER_SLOTS);
      accountPages(inferred, 0, 5, PM_PRESENT | PM_EXCLUSIVE, INFERRED_ANON_FLAGS, 1, PAGE);
      accountPages(read, 0, 5, PM_PRESENT | PM_EXCLUSIVE, real, 1, PAGE);
      expect(Array.from(inferred)).toEqual(Array.from(read));
    }
  });
});
