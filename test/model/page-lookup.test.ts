// The page lookup of `memtop shares PID --page ADDR`: which mapping and row hold an address,
// and what the sample read of that page.
import { describe, expect, it } from 'vitest';
import { PM_PRESENT, PM_SWAPPED } from '../../src/model/page-bits.js';
import { findPageRow } from '../../src/model/page-grid.js';
import { lookUpPage } from '../../src/model/page-lookup.js';
import { PAGE, counters, mapping, pageTable, proc } from '../helpers/synthetic.js';

// Two mappings in one page table: A (4 pages) stores pages 0, 2 and 3 in rows 0–2, B (2 pages)
// pages 0 and 1 in rows 3–4. Page 1 of A was never touched.
const A = mapping(0x400000, 4, { pageBegin: 0, pageEnd: 3, path: '/bin/a' });
const B = mapping(0x500000, 2, { pageBegin: 3, pageEnd: 5 });
const pages = pageTable([
  { index: 0, count: 1, pfn: 0x10 },
  { index: 2, count: 3, pfn: 0x22 },
  // A swap entry: its PFN field is the swap offset, not a frame.
  { index: 3, bits: PM_SWAPPED, count: 0, pfn: 0x99 },
  { index: 0, count: 2, pfn: 0x30 },
  { index: 1, bits: PM_PRESENT, count: 1, pfn: 0x31 },
]);
const p = proc(7, counters({}), { mappings: [A, B], pages });

describe('findPageRow', () => {
  it('finds a page among its own mapping’s rows only', () => {
    expect(findPageRow(pages, A, 0)).toBe(0);
    expect(findPageRow(pages, A, 2)).toBe(1);
    expect(findPageRow(pages, A, 3)).toBe(2);
    expect(findPageRow(pages, B, 0)).toBe(3);
    expect(findPageRow(pages, B, 1)).toBe(4);
  });

  it('answers -1 for a page the table does not store', () => {
    expect(findPageRow(pages, A, 1)).toBe(-1);
    expect(findPageRow(pages, B, 2)).toBe(-1);
    expect(findPageRow(pages, mapping(0x600000, 1, { pageBegin: 5, pageEnd: 5 }), 0)).toBe(-1);
  });
});

describe('lookUpPage', () => {
  it('rounds the address down to its page and reads that page’s row', () => {
    expect(lookUpPage(p, 0x400000 + 2 * PAGE + 123, PAGE)).toEqual({
      address: 0x400000 + 2 * PAGE,
      mapping: A,
      row: 1,
      isResident: true,
      isSwapped: false,
      pfn: 0x22,
      mapCount: 3,
    });
  });

  it('tells a page never touched from a swapped one, neither with a frame', () => {
    expect(lookUpPage(p, 0x400000 + PAGE, PAGE)).toMatchObject({
      row: -1,
      isResident: false,
      isSwapped: false,
      pfn: 0,
      mapCount: 0,
    });
    expect(lookUpPage(p, 0x400000 + 3 * PAGE + PAGE - 1, PAGE)).toMatchObject({
      row: 2,
      isResident: false,
      isSwapped: true,
      pfn: 0,
      mapCount: 0,
    });
  });

  it('finds the mapping holding the address, its first page included and its end not', () => {
    expect(lookUpPage(p, 0x500000, PAGE)).toMatchObject({ mapping: B, row: 3, pfn: 0x30 });
    expect(lookUpPage(p, 0x500000 + PAGE, PAGE)).toMatchObject({ mapping: B, row: 4 });
    expect(lookUpPage(p, A.end, PAGE)).toBeUndefined();
    expect(lookUpPage(p, B.end, PAGE)).toBeUndefined();
    expect(lookUpPage(p, 0x3fffff, PAGE)).toBeUndefined();
  });

  it('knows no page of a process whose pages were not read', () => {
    const unread = proc(8, counters({}), { mappings: [A] });
    expect(lookUpPage(unread, 0x400000, PAGE)).toMatchObject({
      mapping: A,
      row: -1,
      isResident: false,
    });
    expect(lookUpPage(proc(9, counters({})), 0x400000, PAGE)).toBeUndefined();
  });
});
