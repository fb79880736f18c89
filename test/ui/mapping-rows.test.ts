// The mapping view's virtual rows: the same order as sorting row objects, only drawn rows built.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { diffMappingUss } from '../../src/model/delta.js';
import { groupMappings } from '../../src/model/group.js';
import type { Mapping, ProcessSample } from '../../src/model/types.js';
import { sortRowsBy, type ViewSortKey } from '../../src/model/view-sort.js';
import { appReducer } from '../../src/ui/state/app-reducer.js';
import { initialAppState, mappingListRows, type AppState } from '../../src/ui/state/app-state.js';
import type { Command } from '../../src/ui/keys.js';
import { HOLD_MS } from '../../src/ui/state/list-cursor.js';
import {
  MappingSource,
  NO_EXTRAS,
  orderMappingRows,
  type MappingOrder,
} from '../../src/ui/state/mapping-rows.js';
import { mappingScreenLines } from '../../src/ui/views/mapping-view.js';
import {
  counters,
  mapping,
  proc,
  random,
  restrictedCounters,
  snapshot,
} from '../helpers/synthetic.js';

const PATHS = ['', '', '', '/usr/lib/libc.so.6', '/usr/lib/libm.so.6', '[heap]', '/bin/zsh'];

/** n mappings in address order with varied sizes, counters and paths; some unknown. */
function randomMappings(n: number, seed: number): Mapping[] {
  const rnd = random(seed);
  const list: Mapping[] = [];
  let at = 0x400000;
  for (let i = 0; i < n; i++) {
    const pages = 1 + Math.floor(rnd() * 4);
    const uss = Math.floor(rnd() * 5) * 4;
    const shared = Math.floor(rnd() * 3) * 4;
    const c =
      rnd() < 0.05 ? restrictedCounters(4) : counters({ uss, shared, pss: uss + shared / 2 });
    list.push(mapping(at, pages, { path: PATHS[Math.floor(rnd() * PATHS.length)]!, counters: c }));
    at += (pages + 1 + Math.floor(rnd() * 3)) * 4096;
  }
  return list;
}

/** The order the view had when it sorted one object per row (sortRowsBy over rows and groups). */
function referenceKeys(p: ProcessSample, previous: ProcessSample, order: MappingOrder): string[] {
  const mappings = p.mappings!;
  const delta = diffMappingUss(previous, p);
  const deltaOf = new Map(mappings.map((m, i) => [m.start, delta[i]!]));
  const fields = (m: {
    start: number;
    end: number;
    path: string;
    counters: Mapping['counters'];
  }) => ({
    counters: m.counters,
    deltaBytes: deltaOf.get(m.start) ?? Number.NaN,
    id: m.start,
    name: m.path,
    sizeBytes: m.end - m.start,
    values: { cow: Number.NaN, 'became-shared': Number.NaN },
  });
  const { sortKey, reverse } = order;
  if (!order.grouped)
    return sortRowsBy(mappings, sortKey, reverse, fields).map((m) => `m:${m.start}`);
  const groups = groupMappings(mappings);
  const sorted = sortRowsBy(groups, sortKey, reverse, (g) => {
    if (g.mappings.length === 1) return fields(g.mappings[0]!);
    const sum = g.mappings.reduce((s, m) => s + (deltaOf.get(m.start) ?? Number.NaN), 0);
    return {
      ...fields({ start: g.start, end: g.start + g.sizeBytes, path: g.path, counters: g.counters }),
      deltaBytes: sum,
    };
  });
  return sorted.flatMap((g) => {
    if (g.mappings.length === 1) return [`m:${g.mappings[0]!.start}`];
    const key = `g:${g.key}`;
    return [key, ...(order.expanded.includes(key) ? g.mappings.map((m) => `m:${m.start}`) : [])];
  });
}

const KEYS: ViewSortKey[] = [
  'address',
  'size',
  'rss',
  'pss',
  'uss',
  'shared',
  'dirty',
  'swap',
  'delta',
  'name',
  'cow',
];

describe('mapping rows', () => {
  const before = randomMappings(400, 7);
  // The next sample: some mappings gone, the rest with new counters.
  const after = before
    .filter((_, i) => i % 9 !== 4)
    .map((m, i) => ({ ...m, counters: counters({ uss: (i % 6) * 4, shared: (i % 4) * 4 }) }));
  const previous = proc(10, counters({}), { mappings: before });
  const current = proc(10, counters({}), { mappings: after });

  it('are ordered as sorting one object per row ordered them, for every key, grouped or not', () => {
    const source = new MappingSource(current, previous, NO_EXTRAS);
    for (const sortKey of KEYS) {
      for (const reverse of [false, true]) {
        for (const grouped of [false, true]) {
          const order = { sortKey, reverse, grouped, expanded: ['g:/usr/lib/libc.so.6'] };
          const rows = orderMappingRows(source, order);
          const keys = Array.from({ length: rows.length }, (_, i) => rows.keyAt(i));
          expect(keys, `${sortKey} ${reverse} ${grouped}`).toEqual(
            referenceKeys(current, previous, order),
          );
        }
      }
    }
  });

  it('build each row with its mapping, Δ USS and depth, and find rows by key', () => {
    const source = new MappingSource(current, previous, NO_EXTRAS);
    const rows = orderMappingRows(source, {
      sortKey: 'uss',
      reverse: false,
      grouped: true,
      expanded: ['g:[heap]'],
    });
    const delta = diffMappingUss(previous, current);
    for (let i = 0; i < rows.length; i++) {
      const row = rows.at(i)!;
      expect(rows.indexOfKey(row.key)).toBe(i);
      if (row.kind === 'group') {
        expect(row.mappingCount).toBe(after.filter((m) => m.path === row.path).length);
        expect(row.expanded).toBe(row.path === '[heap]');
        continue;
      }
      const m = after.findIndex((x) => x.start === row.start);
      expect(row.counters).toBe(after[m]!.counters);
      expect(row.deltaBytes ?? Number.NaN).toEqual(delta[m]);
      expect(row.depth).toBe(
        row.path !== '' && after.filter((x) => x.path === row.path).length > 1 ? 1 : 0,
      );
    }
    expect(source.sizeBytes).toBe(after.reduce((s, m) => s + m.end - m.start, 0));
  });
});

describe('the mapping view of 200,000 mappings', () => {
  const N = 200_000;
  const BASE = 0x7f0000000000;
  const bigProcess = (step: number) =>
    proc(10, counters({ uss: 4 * N }), {
      mappings: Array.from({ length: N }, (_, i) =>
        mapping(BASE + i * 8192, 1, { counters: counters({ uss: 4 + ((i + step) % 3) * 4 }) }),
      ),
    });
  const press = (s: AppState, command: Command, nowMs = 1) =>
    appReducer(s, { type: 'command', command, nowMs });

  afterEach(() => vi.restoreAllMocks());

  function opened(): AppState {
    const s = initialAppState({
      sortKey: 'uss',
      intervalMs: 1000,
      color: false,
      viewport: { columns: 120, rows: 40 },
    });
    const fed = appReducer(s, {
      type: 'session',
      update: { snapshot: snapshot([bigProcess(0)]) },
      nowMs: 0,
    });
    return press(fed, 'open');
  }

  it('builds only the rows it draws: none per sample or key, one per visible row per frame', () => {
    const built = vi.spyOn(MappingSource.prototype, 'mappingRow');
    let s = opened();
    expect(s.screen).toBe('mappings');
    for (const command of ['down', 'page-down', 'end', 'home', 'sort-next', 'group'] as const)
      s = press(s, command);
    s = appReducer(s, {
      type: 'session',
      update: { snapshot: snapshot([bigProcess(1)]) },
      nowMs: 2,
    });
    expect(built).not.toHaveBeenCalled();
    mappingScreenLines(s);
    expect(built.mock.calls.length).toBeGreaterThan(0);
    expect(built.mock.calls.length).toBeLessThanOrEqual(mappingListRows(s));
  });

  it('shows the first rows, the last after End, and the totals of every mapping', () => {
    let s = opened();
    const hex = (n: number) => n.toString(16).padStart(12, '0');
    const plain = (x: AppState) =>
      // eslint-disable-next-line no-control-regex
      mappingScreenLines(x).map((l) => l.replace(/\x1b\[[0-9;]*m/g, ''));
    let lines = plain(s);
    const title = lines.findIndex((l) => l.includes('ADDRESS'));
    expect(lines[1]).toMatch(/^200000 mappings/);
    expect(lines[title + 1]).toMatch(new RegExp(`^${hex(BASE)}-${hex(BASE + 4096)} rw-p`));
    expect(lines[title + 2]).toMatch(new RegExp(`^${hex(BASE + 8192)}-`));
    s = press(s, 'end');
    lines = plain(s);
    const last = BASE + (N - 1) * 8192;
    const lastRow = title + mappingListRows(s);
    expect(lines[lastRow]).toMatch(new RegExp(`^${hex(last)}-${hex(last + 4096)} rw-p`));
    // The totals line: the process's own counters, the size of every mapping, their count.
    const totals = lines[lastRow + 1]!;
    expect(totals).toMatch(/^TOTAL +781 MiB/);
    expect(totals).toMatch(/200000 mappings$/);
  });

  it('holds the order while the user moves, and sorts again once the hold is over', () => {
    let s = press(opened(), 'sort-pick');
    s = appReducer(s, { type: 'pick', letter: 'u', nowMs: 1 }); // by USS
    s = press(s, 'down', 10);
    const keysOf = (x: AppState) => [0, 1, 2].map((i) => x.mappings.rows.keyAt(i));
    const held = keysOf(s);
    const next = snapshot([bigProcess(1)]);
    const during = appReducer(s, { type: 'session', update: { snapshot: next }, nowMs: 20 });
    expect(keysOf(during)).toEqual(held);
    expect(during.mappings.cursor.selectedKey).toBe(s.mappings.cursor.selectedKey);
    const later = appReducer(s, {
      type: 'session',
      update: { snapshot: next },
      nowMs: 10 + HOLD_MS + 1,
    });
    expect(keysOf(later)).not.toEqual(held);
    const uss = (key: string) =>
      next.processes[0]!.mappings!.find((m) => `m:${m.start}` === key)!.counters.ussBytes;
    expect(keysOf(later).map(uss)).toEqual([12 * 1024, 12 * 1024, 12 * 1024]);
  });
});
