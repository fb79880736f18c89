// The counter table is the one list of counters: the model's helpers, JSON, CSV and the reads
// without PFNs follow it; and the ksm counter's accounting, the entry it took to add it.
import { describe, expect, it } from 'vitest';
import {
  COUNTERS,
  COUNTER_NAMES,
  STATUS_COUNTER_KEYS,
  type CounterKey,
} from '../../src/model/counter-table.js';
import {
  COUNTER_KEYS,
  COUNTER_SLOTS,
  accountPages,
  addCounters,
  counterSlot,
  countersAt,
  emptyCounters,
} from '../../src/model/counters.js';
import { carryScans } from '../../src/model/merge.js';
import {
  INFERRED_ANON_FLAGS,
  KPF_ANON,
  KPF_KSM,
  KPF_SWAPBACKED,
  KPF_ZERO_PAGE,
  PM_EXCLUSIVE,
  PM_PRESENT,
  PM_SWAPPED,
} from '../../src/model/page-bits.js';
import { countersFromSmaps, statusCounters } from '../../src/model/snapshot.js';
import type { Counters } from '../../src/model/types.js';
import { formatCsv } from '../../src/output/csv.js';
import { countersToJson } from '../../src/output/json.js';
import { PAGE, counters, proc, snapshot } from '../helpers/synthetic.js';

const KSM_FLAGS = KPF_ANON | KPF_SWAPBACKED | KPF_KSM;

/** Counters whose field i holds base + i (every field told apart). */
function distinct(base: number): Counters {
  const acc = new Float64Array(COUNTER_SLOTS).map((_, i) => base + i);
  return countersAt(acc, 0);
}

describe('the counter table', () => {
  it('names each counter, field and title once', () => {
    for (const values of [
      COUNTERS.map((d) => d.key),
      COUNTERS.map((d) => d.name),
      COUNTERS.map((d) => d.title),
    ]) {
      expect(new Set(values).size).toBe(values.length);
    }
    expect(COUNTERS.find((d) => d.name === 'ksm')).toMatchObject({
      key: 'ksmBytes',
      title: 'KSM',
      unit: 'bytes',
      scan: 'pages',
    });
  });

  it('orders the accumulators, the zeroed counters and each slot as it lists them', () => {
    expect(COUNTER_KEYS).toEqual(COUNTERS.map((d) => d.key));
    expect(Object.keys(emptyCounters())).toEqual(COUNTER_KEYS);
    expect(Object.values(emptyCounters()).every((v) => v === 0)).toBe(true);
    const c = distinct(10);
    COUNTER_KEYS.forEach((key, i) => {
      expect(counterSlot(key)).toBe(i);
      expect(c[key]).toBe(10 + i);
    });
    expect(() => counterSlot('nonsense' as CounterKey)).toThrow(RangeError);
  });

  it('adds every field', () => {
    const sum = addCounters(distinct(1), distinct(100));
    COUNTER_KEYS.forEach((key, i) => expect(sum[key]).toBe(101 + 2 * i));
  });

  it('gives JSON one field per counter, its value in bytes, unknown as null', () => {
    const c = { ...distinct(4096), ksmBytes: Number.NaN };
    const json = countersToJson(c);
    expect(Object.keys(json)).toEqual(COUNTER_NAMES);
    for (const def of COUNTERS) {
      expect(json[def.name as keyof typeof json]).toBe(
        def.key === 'ksmBytes' ? null : def.value(c),
      );
    }
  });

  it('gives CSV one column per counter, by name, in the table order', () => {
    const p = proc(7, { ...counters({ uss: 8 }), ksmBytes: 3 * PAGE });
    const [head, row] = formatCsv([p], false).trimEnd().split('\n');
    const names = head!.split(',');
    const at = names.indexOf(COUNTER_NAMES[0]!);
    expect(names.slice(at, at + COUNTER_NAMES.length)).toEqual(COUNTER_NAMES);
    expect(row!.split(',')[names.indexOf('ksm')]).toBe(String(3 * PAGE));
  });
});

describe('counters read without PFNs', () => {
  it("take ksm from smaps' KSM: line, unknown where smaps has none", () => {
    const fields = { Rss: 40 * PAGE, Anonymous: 40 * PAGE, KSM: 12 * PAGE };
    expect(countersFromSmaps(fields).ksmBytes).toBe(12 * PAGE);
    const { KSM: _, ...older } = fields;
    expect(countersFromSmaps(older).ksmBytes).toBeNaN();
    expect(countersFromSmaps(older).rssBytes).toBe(40 * PAGE);
    expect(countersToJson(countersFromSmaps(older)).ksm).toBeNull();
  });

  it('from status: the status counters known, every other one unknown', () => {
    const memory = {
      rssBytes: 5 * PAGE,
      anonBytes: 3 * PAGE,
      fileBytes: PAGE,
      shmemBytes: PAGE,
      swapBytes: 2 * PAGE,
    };
    const c = statusCounters(memory);
    for (const key of COUNTER_KEYS) {
      const status = (STATUS_COUNTER_KEYS as readonly string[]).includes(key);
      if (status) expect(c[key]).toBe(memory[key as keyof typeof memory]);
      else expect(c[key], key).toBeNaN();
    }
  });

  it('carried from the last read: ksm then, the status counters now', () => {
    const t0 = Date.UTC(2026, 0, 1);
    const read = proc(1, { ...counters({ uss: 100, rss: 400 }), ksmBytes: 9 * PAGE });
    const before = snapshot([read], { timeMs: t0 });
    const memory = {
      rssBytes: 512 * 1024,
      anonBytes: 0,
      fileBytes: 0,
      shmemBytes: 0,
      swapBytes: 0,
    };
    const now = snapshot([{ ...read, totals: statusCounters(memory), scannedAtMs: NaN }], {
      timeMs: t0 + 2000,
    });
    const carried = carryScans(now, before).processes[0]!.totals;
    expect(carried.ksmBytes).toBe(9 * PAGE);
    expect(carried.rssBytes).toBe(512 * 1024);
  });
});

describe('ksm accounting', () => {
  const ksmOf = (bits: number, flags: number, mapCount: number, n = 5) => {
    const acc = new Float64Array(COUNTER_SLOTS);
    accountPages(acc, 0, n, bits, flags, mapCount, PAGE);
    return countersAt(acc, 0);
  };

  it('counts each mapping of a resident KSM page, shared or left with one mapping', () => {
    for (const [bits, count] of [
      [PM_PRESENT, 2],
      [PM_PRESENT, 7],
      [PM_PRESENT | PM_EXCLUSIVE, 1],
    ] as const) {
      const c = ksmOf(bits, KSM_FLAGS, count);
      expect(c.ksmBytes).toBe(5 * PAGE);
      // A KSM page is an anonymous page like any other in every other counter.
      expect({ ...c, ksmBytes: 0 }).toEqual(ksmOf(bits, KPF_ANON | KPF_SWAPBACKED, count));
    }
  });

  it('counts no page without the flag, no swap entry and no zero page', () => {
    expect(ksmOf(PM_PRESENT, KPF_ANON | KPF_SWAPBACKED, 2).ksmBytes).toBe(0);
    expect(ksmOf(PM_SWAPPED, KSM_FLAGS, 0).ksmBytes).toBe(0);
    expect(ksmOf(PM_PRESENT, KPF_ZERO_PAGE | KPF_KSM, 0).ksmBytes).toBe(0);
  });

  it('would lose a KSM page whose flags were inferred: why inference stops where KSM may merge', () => {
    expect(INFERRED_ANON_FLAGS & KPF_KSM).toBe(0);
    expect(ksmOf(PM_PRESENT | PM_EXCLUSIVE, INFERRED_ANON_FLAGS, 1).ksmBytes).toBe(0);
    expect(ksmOf(PM_PRESENT | PM_EXCLUSIVE, KSM_FLAGS, 1).ksmBytes).toBe(5 * PAGE);
  });
});
