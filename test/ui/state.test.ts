// Reducers: navigation, sorting with a held order, selection following a process, prompts.
import { describe, expect, it } from 'vitest';
import type { ProcessSample, Snapshot } from '../../src/model/types.js';
import { appReducer, stepInterval } from '../../src/ui/state/app-reducer.js';
import { intentFocusMapping, intentFocusPid } from '../../src/ui/screens/intent-selection.js';
import { initialAppState, keyContext, type AppState } from '../../src/ui/state/app-state.js';
import { PLAIN_KEY } from '../../src/ui/key-input.js';
import type { Command } from '../../src/ui/keys.js';
import {
  HOLD_MS,
  followSelection,
  holdOrder,
  moveCursor,
  type ListCursor,
} from '../../src/ui/state/list-cursor.js';
import {
  initialProcessList,
  moveProcessSelection,
  refreshProcessList,
} from '../../src/ui/state/process-list.js';
import {
  pageMapGeometry,
  movePageCursor,
  zoomPageMap,
  EMPTY_PAGE_MAP,
} from '../../src/ui/state/page-map.js';
import { anonPage, counters, mapping, pageTable, proc, snapshot } from '../helpers/synthetic.js';

const keys = (n: number) => Array.from({ length: n }, (_, i) => `k${i}`);

describe('list cursor', () => {
  const start: ListCursor = { selectedKey: 'k0', selectedIndex: 0, scrollTop: 0 };

  it('moves by one, by a page, to the ends, and clamps', () => {
    const list = keys(25);
    const down = moveCursor(start, list, 'down', 10);
    expect(down).toEqual({ selectedKey: 'k1', selectedIndex: 1, scrollTop: 0 });
    expect(moveCursor(start, list, 'up', 10).selectedKey).toBe('k0');
    const page = moveCursor(start, list, 'page-down', 10);
    expect(page).toEqual({ selectedKey: 'k10', selectedIndex: 10, scrollTop: 10 });
    expect(moveCursor(page, list, 'page-down', 10)).toEqual({
      selectedKey: 'k20',
      selectedIndex: 20,
      scrollTop: 15,
    });
    expect(moveCursor(start, list, 'end', 10)).toEqual({
      selectedKey: 'k24',
      selectedIndex: 24,
      scrollTop: 15,
    });
    const end = moveCursor(start, list, 'end', 10);
    expect(moveCursor(end, list, 'home', 10)).toEqual({
      selectedKey: 'k0',
      selectedIndex: 0,
      scrollTop: 0,
    });
    expect(moveCursor(start, [], 'down', 10)).toBe(start);
  });

  it('scrolls just enough to keep the selection visible', () => {
    let c = start;
    for (let i = 0; i < 12; i++) c = moveCursor(c, keys(25), 'down', 10);
    expect(c).toEqual({ selectedKey: 'k12', selectedIndex: 12, scrollTop: 3 });
  });

  it('follows the selected key to its new place, or stays put when its row is gone', () => {
    const c = { selectedKey: 'k5', selectedIndex: 5, scrollTop: 0 };
    expect(followSelection(c, ['k5', 'k1', 'k2'], 10).selectedIndex).toBe(0);
    expect(followSelection(c, ['a', 'b', 'c', 'd', 'e', 'f', 'g'], 10)).toEqual({
      selectedKey: 'f',
      selectedIndex: 5,
      scrollTop: 0,
    });
    expect(followSelection(c, ['a', 'b'], 10).selectedKey).toBe('b');
  });

  it('holds an order: known rows keep their places, new ones follow, gone ones drop out', () => {
    const rows = ['c', 'new', 'a', 'b'];
    expect(holdOrder(rows, (r) => r, ['a', 'gone', 'b', 'c'])).toEqual(['a', 'b', 'c', 'new']);
  });
});

function snap(
  uss: Record<number, number>,
  extra: (pid: number) => Partial<ProcessSample> = () => ({}),
): Snapshot {
  return snapshot(
    Object.entries(uss).map(([pid, kib]) =>
      proc(Number(pid), counters({ uss: kib }), extra(Number(pid))),
    ),
  );
}

const pids = (rows: { process: ProcessSample }[]) => rows.map((r) => r.process.pid);

describe('process list: sorting with a held order, selection by process', () => {
  const first = snap({ 1: 100, 2: 300, 3: 200 });
  const second = snap({ 1: 400, 2: 300, 3: 200, 4: 500 });

  it('sorts by USS, largest first', () => {
    const list = refreshProcessList(
      initialProcessList('uss'),
      { snapshot: first, previous: undefined },
      0,
      10,
    );
    expect(pids(list.rows)).toEqual([2, 3, 1]);
    expect(list.cursor.selectedKey).toBe('2:1002');
  });

  it('holds the order while the user moves, then re-sorts, the selection following its process', () => {
    let list = refreshProcessList(
      initialProcessList('uss'),
      { snapshot: first, previous: undefined },
      0,
      10,
    );
    list = moveProcessSelection(list, 'down', 1000, 10); // selects pid 3, holds until 1000 + HOLD_MS
    expect(list.cursor.selectedKey).toBe('3:1003');
    const held = refreshProcessList(list, { snapshot: second, previous: first }, 2000, 10);
    expect(pids(held.rows)).toEqual([2, 3, 1, 4]); // held; the new process at the end
    expect(held.cursor.selectedIndex).toBe(1);
    expect(held.rows[2]!.deltaBytes).toBe(300 * 1024);
    expect(held.rows[3]!.deltaBytes).toBeUndefined();
    const resorted = refreshProcessList(
      held,
      { snapshot: second, previous: first },
      1000 + HOLD_MS,
      10,
    );
    expect(pids(resorted.rows)).toEqual([4, 1, 2, 3]);
    expect(resorted.cursor).toMatchObject({ selectedKey: '3:1003', selectedIndex: 3 });
  });

  it('treats a reused pid as another process', () => {
    let list = refreshProcessList(
      initialProcessList('pid'),
      { snapshot: first, previous: undefined },
      0,
      10,
    );
    list = moveProcessSelection(list, 'down', 0, 10); // pid 2
    const reused = snap({ 1: 100, 2: 300, 3: 200 }, (pid) =>
      pid === 2 ? { startTime: 99_999 } : {},
    );
    const after = refreshProcessList(list, { snapshot: reused, previous: first }, HOLD_MS, 10);
    expect(after.rows[1]!.deltaBytes).toBeUndefined(); // new process: no Δ
    expect(after.cursor.selectedKey).toBe('2:99999'); // the row stays selected where it was
  });
});

function app(s: Snapshot, columns = 120, rows = 40): AppState {
  const state = initialAppState({
    sortKey: 'uss',
    intervalMs: 2000,
    color: false,
    viewport: { columns, rows },
  });
  return appReducer(state, { type: 'session', update: { snapshot: s }, nowMs: 0 });
}

function press(state: AppState, ...commands: Command[]): AppState {
  return commands.reduce(
    (s, command) => appReducer(s, { type: 'command', command, nowMs: 0 }),
    state,
  );
}

describe('app reducer', () => {
  const family = snap({ 10: 50, 11: 500, 12: 5 }, (pid) => ({
    cmdline: pid === 12 ? 'postgres: writer' : `/bin/app ${pid}`,
  }));

  it('drills in and out, telling the session what is on screen', () => {
    let s = press(app(family), 'down', 'open');
    expect(s.screen).toBe('mappings');
    expect(intentFocusPid(s)).toBe(10);
    s = press(s, 'help');
    expect(s.screen).toBe('help');
    expect(intentFocusPid(s)).toBe(10);
    s = press(s, 'back', 'back');
    expect(s.screen).toBe('processes');
    expect(intentFocusPid(s)).toBeUndefined();
    expect(s.processes.cursor.selectedKey).toBe('10:1010');
  });

  it('filters live while typing; Esc at the prompt puts the old filter back; Esc on the list clears it', () => {
    let s = press(app(family), 'filter');
    expect(keyContext(s)).toBe('prompt');
    s = appReducer(s, { type: 'type', text: 'post', nowMs: 0 });
    expect(pids(s.processes.rows)).toEqual([12]);
    s = press(s, 'accept');
    expect(keyContext(s)).toBe('processes');
    s = press(s, 'filter');
    s = appReducer(s, { type: 'type', text: 'zzz', nowMs: 0 });
    expect(s.processes.rows).toEqual([]);
    s = press(s, 'cancel');
    expect(pids(s.processes.rows)).toEqual([12]);
    s = press(s, 'back');
    expect(pids(s.processes.rows)).toEqual([11, 10, 12]);
  });

  it('reads keys that arrive together in the context each one leaves: "/post⏎" filters', () => {
    const s = appReducer(app(family), { type: 'key', input: '/post\r', key: PLAIN_KEY, nowMs: 0 });
    expect(keyContext(s)).toBe('processes');
    expect(s.processes.filter.text).toBe('post');
    expect(pids(s.processes.rows)).toEqual([12]);
    const q = appReducer(app(family), { type: 'key', input: 'jjq', key: PLAIN_KEY, nowMs: 0 });
    expect(q.quit).toBe(true);
    expect(q.processes.cursor.selectedIndex).toBe(2);
  });

  it('filters by user name or uid', () => {
    const users = snap({ 1: 10, 2: 20 }, (pid) => (pid === 1 ? { user: 'alice', uid: 1000 } : {}));
    let s = appReducer(press(app(users), 'user'), { type: 'type', text: '1000', nowMs: 0 });
    expect(pids(s.processes.rows)).toEqual([1]);
    s = press(s, 'erase', 'erase', 'erase', 'erase');
    expect(pids(s.processes.rows)).toEqual([2, 1]);
  });

  it('sorts by the letter at the sort prompt, steps with < >, reverses', () => {
    let s = appReducer(press(app(family), 'sort-pick'), { type: 'pick', letter: 'i', nowMs: 0 });
    expect(s.processes.sortKey).toBe('pid');
    expect(pids(s.processes.rows)).toEqual([10, 11, 12]);
    s = press(s, 'reverse');
    expect(pids(s.processes.rows)).toEqual([12, 11, 10]);
    s = press(s, 'sort-next');
    expect(s.processes.sortKey).toBe('uss');
    expect(s.processes.reverse).toBe(false);
    s = press(s, 'sort-prev', 'sort-prev');
    expect(s.processes.sortKey).toBe('name');
  });

  it('pauses, and steps the interval', () => {
    const s = press(app(family), 'pause', 'slower');
    expect(s.paused).toBe(true);
    expect(s.intervalMs).toBe(3000);
    expect(s.message).toBe('interval 3s');
    expect(stepInterval(700, -1)).toBe(500);
    expect(stepInterval(60_000, 1)).toBe(60_000);
  });

  it('goes back to the list with a note when the process on screen exits', () => {
    const s = press(app(family), 'open');
    const gone = appReducer(s, {
      type: 'session',
      update: { snapshot: snap({ 10: 50, 12: 5 }) },
      nowMs: 0,
    });
    expect(gone.screen).toBe('processes');
    expect(gone.message).toBe('process 11 has exited');
  });

  it('opens a mapping’s page map and moves its cursor over pages', () => {
    const m = mapping(0x10000, 300, { pageBegin: 0, pageEnd: 1 });
    const p = proc(5, counters({ uss: 4 }), { mappings: [m], pages: pageTable([anonPage(0, 1)]) });
    let s = press(app(snapshot([p]), 80, 30), 'open', 'open');
    expect(s.screen).toBe('pages');
    expect(intentFocusMapping(s)).toBe(0x10000);
    s = press(s, 'right', 'down', 'end');
    expect(s.pages.cursorPage).toBe(299);
    s = press(s, 'back');
    expect(s.screen).toBe('mappings');
    expect(intentFocusMapping(s)).toBeUndefined();
  });
});

describe('page map geometry', () => {
  it('fits the mapping with power-of-two zoom and rows', () => {
    const geo = pageMapGeometry(120, 30, 100_000, 12, undefined);
    expect(geo).toMatchObject({
      cellsPerRow: 64,
      pagesPerCell: 64,
      fitPagesPerCell: 64,
      cellCount: 1563,
    });
    const small = pageMapGeometry(40, 5, 10, 8, undefined);
    expect(small).toMatchObject({ cellsPerRow: 16, pagesPerCell: 1, rowCount: 1 });
  });

  it('zooms in and out around the cursor, scrolling to keep it in view', () => {
    const geo = pageMapGeometry(120, 10, 10_000, 12, undefined);
    const at = { ...EMPTY_PAGE_MAP, cursorPage: 9000 };
    const zoomed = zoomPageMap(at, 'in', geo);
    expect(zoomed.pagesPerCell).toBe(geo.pagesPerCell / 2);
    const g2 = pageMapGeometry(120, 10, 10_000, 12, zoomed.pagesPerCell);
    expect(Math.floor(zoomed.cursorPage / g2.pagesPerCell)).toBeGreaterThanOrEqual(
      zoomed.scrollRow * 64,
    );
    expect(zoomPageMap(zoomed, 'out', g2).pagesPerCell).toBeUndefined();
    const moved = movePageCursor(at, 'page-down', geo);
    expect(moved.cursorPage).toBeLessThan(10_000);
  });
});
