// The pure model the TUI draws from: Δ, tree order, grouping, sorting, filters, merges, page grid.
import { describe, expect, it } from 'vitest';
import { diffMappingUss, diffUss, processKey } from '../../src/model/delta.js';
import { filterProcesses } from '../../src/model/filter.js';
import { groupMappings } from '../../src/model/group.js';
import { mergeSnapshots, replaceProcess } from '../../src/model/merge.js';
import {
  KPF_KSM,
  KPF_THP,
  KPF_ZERO_PAGE,
  PM_EXCLUSIVE,
  PM_FILE,
  PM_PRESENT,
  PM_SWAPPED,
} from '../../src/model/page-bits.js';
import {
  PageState,
  classifyPage,
  computePageGrid,
  countPageStates,
  describePage,
  findPageRow,
} from '../../src/model/page-grid.js';
import { computeTree } from '../../src/model/tree.js';
import { sortRowsBy } from '../../src/model/view-sort.js';
import {
  anonPage,
  counters,
  mapping,
  pageTable,
  proc,
  restrictedCounters,
  snapshot,
} from '../helpers/synthetic.js';

describe('Δ USS', () => {
  it('compares processes by pid and start time', () => {
    const before = snapshot([proc(1, counters({ uss: 10 })), proc(2, counters({ uss: 10 }))]);
    const after = snapshot([
      proc(1, counters({ uss: 14 })),
      proc(2, counters({ uss: 10 }), { startTime: 5 }), // pid reused
      proc(3, restrictedCounters(1)),
    ]);
    const d = diffUss(before, after);
    expect(d.get(processKey(after.processes[0]!))).toBe(4 * 1024);
    expect(d.has(processKey(after.processes[1]!))).toBe(false);
    expect(d.size).toBe(1);
    expect(diffUss(undefined, after).size).toBe(0);
  });

  it('compares mappings by start address', () => {
    const a = proc(1, counters({}), {
      mappings: [mapping(0x1000, 4, { counters: counters({ uss: 4 }) })],
    });
    const b = proc(1, counters({}), {
      mappings: [mapping(0x1000, 8, { counters: counters({ uss: 12 }) }), mapping(0x9000, 1)],
    });
    expect([...diffMappingUss(a, b)]).toEqual([8 * 1024, Number.NaN]);
    expect([...diffMappingUss(proc(1, counters({})), b)]).toEqual([Number.NaN, Number.NaN]);
    // Listed out of address order (not as maps gives them): matched by start all the same.
    const reversed = { ...b, mappings: [...b.mappings!].reverse() };
    expect([...diffMappingUss(a, reversed)]).toEqual([Number.NaN, 8 * 1024]);
  });
});

describe('process tree', () => {
  it('nests children under parents in the given order, with rails', () => {
    const ps = [
      proc(5, counters({}), { ppid: 2 }),
      proc(2, counters({}), { ppid: 1 }),
      proc(1, counters({}), { ppid: 0 }),
      proc(3, counters({}), { ppid: 1 }),
      proc(6, counters({}), { ppid: 2 }),
    ];
    const rows = computeTree(ps);
    expect(rows.map((r) => [r.process.pid, r.depth, r.hasNextSibling, r.rails])).toEqual([
      [1, 0, false, []],
      [2, 1, true, []],
      [5, 2, true, [true]],
      [6, 2, false, [true]],
      [3, 1, false, []],
    ]);
  });

  it('never lets a reused pid adopt an older process, and survives cycles', () => {
    const ps = [
      proc(7, counters({}), { ppid: 8, startTime: 1 }),
      proc(8, counters({}), { ppid: 7, startTime: 2 }),
    ];
    const rows = computeTree(ps);
    expect(rows.map((r) => [r.process.pid, r.depth])).toEqual([
      [7, 0],
      [8, 1],
    ]);
  });
});

describe('grouping mappings by file', () => {
  it('puts all mappings of a path in one group, anonymous ones alone', () => {
    const lib = '/usr/lib/libc.so.6';
    const groups = groupMappings([
      mapping(0x3000, 1, { path: lib, counters: counters({ uss: 4 }) }),
      mapping(0x1000, 1, { path: lib, counters: counters({ uss: 8 }) }),
      mapping(0x5000, 2),
      mapping(0x8000, 1),
    ]);
    expect(groups.map((g) => [g.key, g.mappings.length, g.sizeBytes, g.counters.ussBytes])).toEqual(
      [
        [lib, 2, 8192, 12 * 1024],
        ['@20480', 1, 8192, 0],
        ['@32768', 1, 4096, 0],
      ],
    );
  });
});

describe('sorting rows', () => {
  const rows = [
    { id: 3, uss: 10, delta: 5 },
    { id: 1, uss: Number.NaN, delta: Number.NaN },
    { id: 2, uss: 30, delta: -5 },
  ];
  const fields = (r: (typeof rows)[number]) => ({
    counters: counters({ uss: r.uss }),
    deltaBytes: r.delta,
    id: r.id,
    name: `n${4 - r.id}`,
    sizeBytes: r.id,
  });
  const ids = (list: typeof rows) => list.map((r) => r.id);

  it('puts the largest first and unknown last, either way round', () => {
    expect(ids(sortRowsBy(rows, 'uss', false, fields))).toEqual([2, 3, 1]);
    expect(ids(sortRowsBy(rows, 'uss', true, fields))).toEqual([3, 2, 1]);
    expect(ids(sortRowsBy(rows, 'delta', false, fields))).toEqual([3, 2, 1]);
  });

  it('sorts ids and names ascending', () => {
    expect(ids(sortRowsBy(rows, 'pid', false, fields))).toEqual([1, 2, 3]);
    expect(ids(sortRowsBy(rows, 'name', false, fields))).toEqual([3, 2, 1]);
  });
});

describe('filters', () => {
  const ps = [
    proc(1, counters({}), {
      comm: 'postgres',
      cmdline: 'postgres: writer',
      user: 'postgres',
      uid: 105,
    }),
    proc(2, counters({}), { comm: 'node', cmdline: '/usr/bin/node server.js' }),
  ];
  it('match name or command line, case-insensitively, and user by name or uid', () => {
    expect(filterProcesses(ps, { text: 'SERVER', user: '' }).map((p) => p.pid)).toEqual([2]);
    expect(filterProcesses(ps, { text: '', user: '105' }).map((p) => p.pid)).toEqual([1]);
    expect(filterProcesses(ps, { text: 'node', user: 'postgres' })).toEqual([]);
  });
});

describe('merging snapshots', () => {
  it('joins parts of a first sample and recomputes Σ totals', () => {
    const a = snapshot([proc(1, counters({ uss: 4, rss: 8, pss: 6 }))], { costMs: 10 });
    const b = snapshot([proc(2, counters({ uss: 4, rss: 8, pss: 6 }))], { costMs: 5, timeMs: 99 });
    const m = mergeSnapshots([a, b]);
    expect(m.processes.map((p) => p.pid)).toEqual([1, 2]);
    expect(m.costMs).toBe(15);
    expect(m.timeMs).toBe(a.timeMs);
    expect(m.totals.rssBytes).toBe(16 * 1024);
    expect(m.totals.sharingSavesBytes).toBe(4 * 1024);
  });

  it('replaces the one process sampled alone, or drops it when it exited', () => {
    const base = snapshot([proc(1, counters({ uss: 4 })), proc(2, counters({ uss: 4 }))]);
    const fresh = snapshot([proc(2, counters({ uss: 40 }))], { timeMs: 7 });
    const merged = replaceProcess(base, 2, fresh);
    expect(merged.processes.map((p) => [p.pid, p.totals.ussBytes])).toEqual([
      [1, 4096],
      [2, 40 * 1024],
    ]);
    expect(merged.timeMs).toBe(7);
    expect(replaceProcess(base, 2, snapshot([])).processes.map((p) => p.pid)).toEqual([1]);
  });
});

describe('page grid', () => {
  const pages = pageTable([
    anonPage(0, 1),
    anonPage(1, 2),
    anonPage(2, 7),
    anonPage(3, 12),
    { index: 4, bits: PM_SWAPPED, count: 0 },
    { index: 5, bits: PM_PRESENT, flags: KPF_ZERO_PAGE, count: 0 },
    { index: 6, bits: PM_PRESENT | PM_FILE, flags: 0, count: 1 },
    { index: 7, flags: KPF_THP, count: 1 },
    { index: 8, flags: KPF_KSM, count: 30 },
  ]);
  const m = mapping(0x40000, 16, { pageBegin: 0, pageEnd: 9 });
  const p = proc(1, counters({}), { mappings: [m], pages });

  it('classifies each page by map count, dirtiness, swap, zero page, THP and KSM', () => {
    const states = Array.from({ length: 9 }, (_, row) => classifyPage('pages', pages, row));
    expect(states).toEqual([
      PageState.PrivateDirty,
      PageState.Shared2,
      PageState.Shared2 + 5,
      PageState.Shared10Plus,
      PageState.Swapped,
      PageState.ZeroPage,
      PageState.PrivateClean,
      PageState.Thp,
      PageState.Ksm,
    ]);
  });

  it('knows only "mapped once" without map counts', () => {
    const flagsOnly = pageTable([
      { index: 0, bits: PM_PRESENT | PM_EXCLUSIVE },
      { index: 1, bits: PM_PRESENT },
    ]);
    expect(classifyPage('flags', flagsOnly, 0)).toBe(PageState.PrivateDirty);
    expect(classifyPage('flags', flagsOnly, 1)).toBe(PageState.Unknown);
  });

  it('fills a window of cells, one page each, untouched pages not present', () => {
    const cells = computePageGrid(p, m, 4096, { pagesPerCell: 1, firstCell: 2, cellCount: 10 })!;
    expect(Array.from(cells)).toEqual([
      PageState.Shared2 + 5,
      PageState.Shared10Plus,
      PageState.Swapped,
      PageState.ZeroPage,
      PageState.PrivateClean,
      PageState.Thp,
      PageState.Ksm,
      PageState.NotPresent,
      PageState.NotPresent,
      PageState.NotPresent,
    ]);
  });

  it('zooms: a cell of several pages takes their most common state', () => {
    const dense = pageTable([anonPage(0, 1), anonPage(1, 2), anonPage(2, 2), anonPage(7, 1)]);
    const dm = mapping(0, 8, { pageBegin: 0, pageEnd: 4 });
    const dp = proc(1, counters({}), { mappings: [dm], pages: dense });
    expect(
      Array.from(computePageGrid(dp, dm, 4096, { pagesPerCell: 4, firstCell: 0, cellCount: 2 })!),
    ).toEqual([PageState.Shared2, PageState.PrivateDirty]);
    const counts = countPageStates(dp, dm, 4096, 4, 4);
    expect(counts[PageState.NotPresent]).toBe(3);
    expect(counts[PageState.PrivateDirty]).toBe(1);
  });

  it('describes a page: address, map count, flags, PFN', () => {
    expect(findPageRow(pages, m, 3)).toBe(3);
    expect(findPageRow(pages, m, 12)).toBe(-1);
    const d = describePage(p, m, 4096, 1);
    expect(d).toMatchObject({
      address: 0x41000,
      state: PageState.Shared2,
      mapCount: 2,
      pfn: 0x1001,
    });
    expect(d.kpageFlags).toEqual(['lru', 'anon', 'swapbacked']);
    expect(d.pagemapFlags).toEqual(['present']);
    expect(describePage(p, m, 4096, 15)).toMatchObject({
      state: PageState.NotPresent,
      mapCount: Number.NaN,
    });
    expect(
      computePageGrid(proc(2, counters({})), m, 4096, {
        pagesPerCell: 1,
        firstCell: 0,
        cellCount: 1,
      }),
    ).toBe(undefined);
  });
});
