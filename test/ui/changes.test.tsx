// Page changes, who shares what and the libraries in the TUI: rate columns, the events lines,
// the page map's changed cells and sharers, the mapping view's SHARED WITH, the shares and
// libraries views; rendered to strings at fixed sizes.
import { renderToString } from 'ink';
import type { Key } from 'ink';
import { describe, expect, it } from 'vitest';
import { diffSnapshots, type SnapshotChanges } from '../../src/model/changes.js';
import { PM_EXCLUSIVE, PM_PRESENT } from '../../src/model/page-bits.js';
import { buildSharerIndex } from '../../src/model/sharers.js';
import { computeSharingReport } from '../../src/model/sharing-report.js';
import type { Library } from '../../src/model/libraries.js';
import { CurrentScreen } from '../../src/ui/components/Screens.js';
import type { SessionUpdate } from '../../src/store/contract.js';
import { EventRing } from '../../src/store/event-ring.js';
import { PLAIN_KEY } from '../../src/ui/key-input.js';
import type { Command } from '../../src/ui/keys.js';
import { appReducer } from '../../src/ui/state/app-reducer.js';
import {
  intentFocusPid,
  intentLibraries,
  intentSharersPid,
} from '../../src/ui/screens/intent-selection.js';
import { initialAppState, type AppState } from '../../src/ui/state/app-state.js';
import {
  FAMILY_ANON,
  PAGE,
  counters,
  forkFamily,
  mapping,
  pageTable,
  proc,
  snapshot,
} from '../helpers/synthetic.js';

/* eslint-disable no-control-regex -- these tests look for escape sequences */
const strip = (text: string) => text.replace(/\x1b\[[0-9;]*m/g, '');

function start(columns: number, rows: number, color = false): AppState {
  return initialAppState({ sortKey: 'uss', intervalMs: 1000, color, viewport: { columns, rows } });
}

function feed(state: AppState, ...updates: SessionUpdate[]): AppState {
  return updates.reduce<AppState>(
    (s, update) => appReducer(s, { type: 'session', update, nowMs: 0 }),
    state,
  );
}

function run(state: AppState, ...commands: Command[]): AppState {
  return commands.reduce(
    (s, command) => appReducer(s, { type: 'command', command, nowMs: 0 }),
    state,
  );
}

/** Keys as typed: one character each, Esc and Enter by name. */
function type(state: AppState, ...keys: string[]): AppState {
  const named: Record<string, Partial<Key>> = { Esc: { escape: true }, Enter: { return: true } };
  return keys.reduce((s, k) => {
    const key = named[k] ? { ...PLAIN_KEY, ...named[k] } : PLAIN_KEY;
    return appReducer(s, { type: 'key', input: named[k] ? '' : k, key, nowMs: 0 });
  }, state);
}

function raw(state: AppState): string {
  return renderToString(<CurrentScreen state={state} />, { columns: state.viewport.columns });
}

/** The frame as the terminal shows it: plain lines, trailing blanks (the selection bar's) cut. */
function lines(state: AppState): string[] {
  return strip(raw(state))
    .split('\n')
    .map((l) => l.trimEnd());
}

/** The visible characters of a styled line, those drawn underlined in upper case brackets. */
function underlined(line: string): string {
  let on = false;
  let out = '';
  for (let i = 0; i < line.length; i++) {
    if (line[i] === '\x1b') {
      const end = line.indexOf('m', i);
      const codes = line.slice(i + 2, end).split(';');
      if (codes.includes('4')) on = true;
      if (codes.includes('24') || codes.includes('0')) on = false;
      i = end;
      continue;
    }
    out += on ? `[${line[i]}]` : line[i];
  }
  return out;
}

/** The text of a right-aligned column in a row, found by its title's end. */
function cell(screen: string[], title: string, width: number, row: string): string {
  const titles = screen.find((l) => l.includes(title) && l.includes('PID'))!;
  const end = titles.indexOf(title) + title.length;
  return row.slice(end - width, end).trim();
}

const before = forkFamily(0);
const after = forkFamily(1);
const changes: SnapshotChanges = diffSnapshots(before, after);
/** The page events the store keeps of that comparison. */
const events = (() => {
  const ring = new EventRing();
  ring.add(changes, after.timeMs, after.processes);
  return ring.published();
})();
const index = buildSharerIndex(after.processes);

/** Two full samples a second apart: the child (pid 11) wrote 2 pages of the family's region. */
function tracked(columns = 120, rows = 40, color = false, more: SessionUpdate = {}): AppState {
  return feed(
    start(columns, rows, color),
    { snapshot: before },
    { snapshot: after, changes, events, ...more },
  );
}

/** The child's row selected (by PID: parent 10 first, child 11 second). */
function childSelected(state: AppState): AppState {
  return run(type(state, 's', 'i'), 'home', 'down');
}

describe('page change columns and events under the process list', () => {
  it('shows copy-on-write breaks and newly shared pages per second, and the largest events', () => {
    const screen = lines(tracked());
    expect(screen[2]).toMatch(/ΔUSS +COW\/s +SHR\+\/s COMMAND/);
    const child = screen.find((l) => /^ +11 /.test(l))!;
    const parent = screen.find((l) => /^ +10 /.test(l))!;
    expect(cell(screen, 'COW/s', 8, child)).toBe('8.00 KiB'); // 2 pages in 1 s
    expect(cell(screen, 'COW/s', 8, parent)).toBe(''); // unshared by others, no copy
    expect(cell(screen, 'SHR+/s', 8, child)).toBe('');
    const events = screen.indexOf('Page changes in the last 1.0 s (listed processes):');
    expect(events).toBeGreaterThan(3);
    expect(screen.slice(events + 1, events + 3)).toEqual([
      `  server 10: 8.00 KiB stopped being shared by others in [anon ${FAMILY_ANON.toString(16)}]`,
      `  worker 11: 8.00 KiB became private-dirty (copy-on-write) in [anon ${FAMILY_ANON.toString(16)}]`,
    ]);
    expect(screen[37]).toBe('2 of 2 processes · interval 1s');
  });

  it('sorts by COW/s like any column, and keeps the frame at rows − 1', () => {
    const byCow = type(tracked(), 's', 'o');
    expect(byCow.processes.rows.map((r) => r.process.pid)).toEqual([11, 10]);
    expect(lines(byCow)[2]).toContain('▼COW/s');
    const reversed = run(byCow, 'reverse');
    expect(reversed.processes.rows.map((r) => r.process.pid)).toEqual([10, 11]);
    expect(lines(reversed).length).toBeLessThanOrEqual(39);
  });

  it('shows "-" where no changes are known, and drops the events lines on small terminals', () => {
    const first = feed(start(120, 40), { snapshot: after });
    const screen = lines(first);
    const child = screen.find((l) => /^ +11 /.test(l))!;
    expect(cell(screen, 'COW/s', 8, child)).toBe('-');
    expect(cell(screen, 'SHR+/s', 8, child)).toBe('-');
    expect(screen).toContain('Page changes: shown from the next sample on');
    const small = lines(tracked(80, 18));
    expect(small.join('\n')).not.toContain('Page changes');
    expect(small.length).toBeLessThanOrEqual(17);
    const unprivileged = feed(start(120, 40), { snapshot: forkFamily(1, { privileged: false }) });
    expect(lines(unprivileged).join('\n')).not.toContain('Page changes');
  });

  it('without PFNs marks pages that became private as an upper bound of copy-on-write breaks', () => {
    const flags = (exclusive: boolean, timeMs: number) => {
      const bits = PM_PRESENT | (exclusive ? PM_EXCLUSIVE : 0);
      const p = proc(20, counters({ uss: 8 }), {
        access: 'flags',
        mappings: [mapping(FAMILY_ANON, 2, { pageBegin: 0, pageEnd: 2, counters: counters({}) })],
        pages: pageTable([
          { index: 0, bits },
          { index: 1, bits },
        ]),
      });
      return snapshot([p], { privileged: false, timeMs });
    };
    const a = flags(false, 0);
    const b = flags(true, 2000);
    const focusChanges = diffSnapshots(a, b);
    let s = feed(start(170, 30), { snapshot: a });
    s = run(s, 'open');
    s = feed(s, { snapshot: b, focusChanges });
    const screen = lines(s);
    expect(screen[2]).toContain('COW/s');
    const row = screen.find((l) => l.startsWith(FAMILY_ANON.toString(16)))!;
    const titles = screen[2]!;
    const end = titles.indexOf('COW/s') + 5;
    expect(row.slice(end - 9, end).trim()).toBe('≤4.00 KiB'); // 2 pages in 2 s
    expect(
      screen
        .find((l) => l.startsWith('TOTAL'))!
        .slice(end - 9, end)
        .trim(),
    ).toBe('≤4.00 KiB');
  });
});

describe('page map: what changed, and who else maps the page', () => {
  function pageMap(color = false): AppState {
    const s = tracked(100, 20, color, { sharers: index });
    return run(childSelected(s), 'open', 'home', 'open');
  }

  it('underlines the pages that changed in the last sample', () => {
    const s = pageMap();
    expect(s.screen).toBe('pages');
    const grid = raw(s)
      .split('\n')
      .find((l) => l.startsWith(FAMILY_ANON.toString(16)))!;
    expect(strip(grid)).toBe(`${FAMILY_ANON.toString(16)} DD22`);
    // The two pages the child wrote are underlined; the pages still shared are not.
    expect(underlined(grid)).toBe(`${FAMILY_ANON.toString(16)} [D][D]22`);
    expect(lines(s).join('\n')).toContain('underlined: changed in the last interval');
  });

  it('names the change of the page under the cursor and the other processes mapping it', () => {
    const s = pageMap();
    const screen = lines(s);
    expect(screen).toContain('Shared with: no one (map count 1)');
    expect(screen.find((l) => l.includes('page 1/4'))).toMatch(
      /page 1\/4 {2}private dirty {2}changed: copy-on-write break {2}map count 1/,
    );
    const shared = lines(run(s, 'right', 'right'));
    expect(shared).toContain('Shared with: server 10');
    expect(shared.find((l) => l.includes('page 3/4'))).toMatch(/page 3\/4 {2}shared by 2 {2}map/);
    expect(shared.find((l) => l.includes('page 3/4'))).not.toContain('changed');
  });

  it('says when who-shares is not known yet, and counts mappings it cannot name', () => {
    const s = run(childSelected(tracked(100, 20)), 'open', 'home', 'open', 'right', 'right');
    expect(lines(s)).toContain('Shared with: finding out…');
    const onlyChild = buildSharerIndex([after.processes[1]!]);
    const partial = feed(s, { snapshot: after, changes, events, sharers: onlyChild });
    expect(lines(partial)).toContain('Shared with: +1 not in the last full sample');
  });
});

describe('mapping view: shared with, and changes per mapping', () => {
  const sharing = computeSharingReport(index, after.timeMs, 11, PAGE);

  it('names the processes each mapping shares the most with', () => {
    const s = run(childSelected(tracked(120, 20, false, { sharers: index, sharing })), 'open');
    const screen = lines(s);
    expect(screen[2]).toMatch(/PRIV-DIRTY SHARED WITH +MAPPING/);
    const anon = screen.find((l) => l.startsWith(FAMILY_ANON.toString(16)))!;
    const lib = screen.find((l) => l.includes('/usr/lib/libc.so.6'))!;
    expect(anon).toMatch(/ server 10 +\[anon\]$/);
    expect(lib).toMatch(/ server 10 +\/usr\/lib\/libc\.so\.6$/);
    expect(screen.find((l) => l.startsWith('TOTAL'))).toMatch(/ server 10 +2 mappings$/);
  });

  it('shows "-" before who-shares is known, and COW/s per mapping where the terminal is wide', () => {
    const unknown = lines(run(childSelected(tracked(120, 20)), 'open'));
    expect(unknown.find((l) => l.startsWith(FAMILY_ANON.toString(16)))).toMatch(/ - +\[anon\]$/);
    const wide = lines(run(childSelected(tracked(170, 20)), 'open'));
    const end = wide[2]!.indexOf('COW/s') + 5;
    const anon = wide.find((l) => l.startsWith(FAMILY_ANON.toString(16)))!;
    const lib = wide.find((l) => l.includes('libc.so.6'))!;
    expect(anon.slice(end - 9, end).trim()).toBe('8.00 KiB');
    expect(lib.slice(end - 9, end).trim()).toBe('');
  });
});

describe('shares the most with', () => {
  const sharing = computeSharingReport(index, after.timeMs, 11, PAGE);

  it('opens with w on the selected process and ranks its sharers, bytes and mappings labelled', () => {
    let s = type(childSelected(tracked(120, 20)), 'w');
    expect(s.screen).toBe('shares');
    expect(intentSharersPid(s)).toBe(11);
    expect(intentFocusPid(s)).toBeUndefined(); // from the list, full samples go on
    expect(lines(s)).toContain('finding out who shares its pages…');
    s = feed(s, { snapshot: after, changes, events, sharers: index, sharing });
    const screen = lines(s);
    expect(screen.length).toBeLessThanOrEqual(19);
    expect(screen[0]).toMatch(/^PID 11 worker shares its pages with .* as of the full sample at /);
    expect(screen[1]).toContain('SHARED: its pages the other maps too (distinct pages)');
    expect(screen[1]).toContain('MAPPINGS: page-table entries');
    expect(screen[2]).toMatch(/PID +SHARED +MAPPINGS RELATION COMMAND/);
    // 2 pages of the region and the 2 library pages: 16 KiB, mapped once each in the parent.
    expect(screen[3]).toMatch(/^ +10 +16\.0 KiB +4 parent +server$/);
    const back = type(s, 'Esc');
    expect(back.screen).toBe('processes');
    expect(intentSharersPid(back)).toBeUndefined();
  });

  it('opens from the mapping view too, and goes back there', () => {
    const s = type(run(childSelected(tracked(120, 20)), 'open'), 'w');
    expect(s.screen).toBe('shares');
    expect(s.shares.subject).toEqual({ pid: 11, startTime: 1011 });
    expect(type(s, 'Esc').screen).toBe('mappings');
  });

  it('says that it needs root without PFNs', () => {
    const s = type(feed(start(100, 20), { snapshot: forkFamily(1, { privileged: false }) }), 'w');
    expect(lines(s)).toContain('who shares what needs PFNs and map counts: run memtop as root');
  });
});

describe('libraries view', () => {
  const lib = (key: string, path: string, users: number[], uss: number): Library => ({
    key,
    path,
    counters: counters({ uss, shared: 400, pss: uss + 400 / users.length }),
    users: users.map((pid) => ({
      pid,
      startTime: 1000 + pid,
      comm: `proc${pid}`,
      counters: counters({ uss: pid === users[0] ? uss : 0, shared: 400 / users.length }),
    })),
  });
  const libraries = {
    timeMs: after.timeMs,
    libraries: [
      lib('8:1:1', '/usr/lib/libc.so.6', [1, 2, 3], 12),
      lib('8:1:2', '/usr/lib/libm.so.6', [1, 2, 3, 4, 5], 4),
      lib('8:1:3', '/opt/big/plugin.so', [7], 900),
    ],
  };

  it('opens with l, one row per file, sortable; / filters by path', () => {
    let s = type(tracked(120, 20), 'l');
    expect(s.screen).toBe('libraries');
    expect(intentLibraries(s)).toBe(true);
    expect(lines(s)).toContain('reading every process’s mappings…');
    s = feed(s, { snapshot: after, changes, events, libraries });
    let screen = lines(s);
    expect(screen[0]).toMatch(
      /^Libraries and mapped files: 3 files {2}· {2}as of the full sample at /,
    );
    expect(screen[2]).toMatch(/^PROCS +▼ΣRSS +ΣPSS +PRIVATE +PRIV-DIRTY +SHARED RATIO FILE/);
    expect(screen.slice(3, 6).map((l) => l.trim().replace(/ .*\//, ' /'))).toEqual([
      '1 /plugin.so',
      '3 /libc.so.6',
      '5 /libm.so.6',
    ]);
    expect(screen[4]).toMatch(/^ +3 +412 KiB +145 KiB +12\.0 KiB +12\.0 KiB +400 KiB +2\.8 /);
    s = type(s, 's', 'k');
    expect(s.libs.files.rows.map((r) => r.library.path)).toEqual([
      '/usr/lib/libm.so.6',
      '/usr/lib/libc.so.6',
      '/opt/big/plugin.so',
    ]);
    s = type(s, '/', 'l', 'i', 'b', 'c', 'Enter');
    screen = lines(s);
    expect(s.libs.files.rows).toHaveLength(1);
    expect(screen.at(-2)).toMatch(/^1 of 3 files · filter "libc"/);
  });

  it('drills into a file: the processes mapping it and what each holds privately; Esc back', () => {
    let s = feed(type(tracked(120, 20), 'l'), { snapshot: after, changes, events, libraries });
    s = type(s, 'j', 'Enter'); // libc, below plugin.so
    expect(s.screen).toBe('library');
    const screen = lines(s);
    expect(screen[0]).toBe('/usr/lib/libc.so.6');
    expect(screen[1]).toMatch(
      /^3 processes {2}Σ RSS 412 KiB {2}PRIVATE 12\.0 KiB {2}SHARED 400 KiB/,
    );
    expect(screen[2]).toMatch(/^ +PID +RSS +PSS +▼PRIVATE +PRIV-DIRTY +SHARED COMMAND/);
    expect(screen[3]).toMatch(/^ +1 .* 12\.0 KiB .* proc1$/);
    expect(screen.slice(3, 6).map((l) => l.trim().split(/ +/)[0])).toEqual(['1', '2', '3']);
    s = type(s, 'Esc');
    expect(s.screen).toBe('libraries');
    s = type(s, 'Esc');
    expect(s.screen).toBe('processes');
    expect(intentLibraries(s)).toBe(false);
  });

  it('leaves the drilled-in file with a note when no process maps it any more', () => {
    let s = feed(type(tracked(120, 20), 'l'), { snapshot: after, changes, events, libraries });
    s = type(s, 'Enter'); // plugin.so
    const gone = { timeMs: after.timeMs, libraries: libraries.libraries.slice(0, 2) };
    s = feed(s, { snapshot: forkFamily(1, { timeMs: 99 }), libraries: gone });
    expect(s.screen).toBe('libraries');
    expect(s.message).toBe('no process maps that file any more');
  });

  it('fits 40×10 and 120×40 without wrapping', () => {
    for (const [columns, rows] of [
      [40, 10],
      [120, 40],
    ] as const) {
      const s = feed(type(tracked(columns, rows), 'l'), {
        snapshot: after,
        changes,
        events,
        libraries,
      });
      for (const state of [s, type(s, 'Enter')]) {
        const screen = lines(state);
        expect(screen.length).toBeLessThanOrEqual(rows - 1);
        for (const line of screen) expect(line.length).toBeLessThanOrEqual(columns);
      }
    }
  });
});

describe('session updates', () => {
  it('redraws when only derived data arrives, keeping the snapshot and its Δ', () => {
    const s = run(childSelected(tracked(120, 20)), 'open');
    const sharing = computeSharingReport(index, after.timeMs, 11, PAGE);
    const next = feed(s, { snapshot: after, changes, events, sharers: index, sharing });
    expect(next.previous).toBe(before);
    expect(next.mappings.rows.at(0)!.sharedWith?.map((t) => t.pid)).toEqual([10]);
    expect(feed(next, { snapshot: after, changes, events, sharers: index, sharing })).toBe(next);
  });

  it('follows a process exiting while its sharing is on screen', () => {
    const s = type(childSelected(tracked(120, 20)), 'w');
    const gone = feed(s, { snapshot: snapshot([after.processes[0]!], { timeMs: 5 }) });
    expect(gone.screen).toBe('processes');
    expect(gone.message).toBe('process 11 has exited');
  });
});
