// Screens rendered to strings at fixed sizes: the states a user meets first or worst.
import { renderToString } from 'ink';
import { describe, expect, it } from 'vitest';
import { PM_SWAPPED } from '../../src/model/page-bits.js';
import type { Snapshot } from '../../src/model/types.js';
import {
  HelpScreen,
  MappingScreen,
  PageMapScreen,
  ProcessScreen,
} from '../../src/ui/components/Screens.js';
import { KEY_BINDINGS } from '../../src/ui/keys.js';
import type { Command } from '../../src/ui/keys.js';
import { appReducer } from '../../src/ui/state/app-reducer.js';
import { initialAppState, type AppState } from '../../src/ui/state/app-state.js';
import {
  anonPage,
  busySnapshot,
  counters,
  mapping,
  pageTable,
  proc,
  restrictedCounters,
  snapshot,
} from '../helpers/synthetic.js';

/* eslint-disable no-control-regex -- these tests look for escape sequences */
const strip = (text: string) => text.replace(/\x1b\[[0-9;]*m/g, '');

function stateFor(
  snap: Snapshot | undefined,
  columns: number,
  rows: number,
  color = false,
): AppState {
  const state = initialAppState({
    sortKey: 'uss',
    intervalMs: 2000,
    color,
    viewport: { columns, rows },
  });
  return snap
    ? appReducer(state, { type: 'session', update: { snapshot: snap }, nowMs: 0 })
    : state;
}

function run(state: AppState, ...commands: Command[]): AppState {
  return commands.reduce(
    (s, command) => appReducer(s, { type: 'command', command, nowMs: 0 }),
    state,
  );
}

/** The frame as the terminal shows it: plain lines. */
function frame(node: React.ReactNode, columns: number): string[] {
  return strip(renderToString(node, { columns })).split('\n');
}

function expectFits(lines: string[], columns: number, rows: number) {
  expect(lines.length).toBeLessThanOrEqual(rows - 1);
  for (const line of lines) expect(line.length).toBeLessThanOrEqual(columns);
}

describe('process list screen', () => {
  it('is a frame of rows − 1 lines with header, title, status and key line', () => {
    const lines = frame(<ProcessScreen state={stateFor(busySnapshot(100), 120, 40)} />, 120);
    expect(lines).toHaveLength(39);
    expectFits(lines, 120, 40);
    expect(lines[0]).toMatch(
      /^memtop \d\d:\d\d:\d\d {2}box {2}Linux 6\.18\.0 {2}every 2s {2}sample 42 ms/,
    );
    expect(lines[1]).toContain('Mem 16.0 GiB total, 8.00 GiB available');
    expect(lines[1]).toContain('sharing saves 1.00 GiB');
    expect(lines[2]).toMatch(
      /PID USER +▼USS +PSS +RSS +SHARED +PRIV-DIRTY +ΔUSS +COW\/s +SHR\+\/s COMMAND/,
    );
    expect(lines[37]).toBe('100 of 100 processes · interval 2s');
    expect(lines[38]).toMatch(/^Enter Open {2}\? Help {2}s Sort {2}\/ Filter/);
  });

  it('says so when there are no processes, instead of an empty table', () => {
    const lines = frame(<ProcessScreen state={stateFor(snapshot([]), 80, 24)} />, 80);
    expect(lines[3]).toBe('no processes to show');
    expect(lines[22]).toContain('Quit');
  });

  it('shows progress before the first sample', () => {
    const state = appReducer(stateFor(undefined, 80, 24), {
      type: 'session',
      update: { progress: { done: 128, total: 900 } },
      nowMs: 0,
    });
    const lines = frame(<ProcessScreen state={state} />, 80);
    expect(lines[1]).toBe('sampling /proc: 128 of 900 processes read…');
  });

  it('marks restricted rows and never shows their unknown counters as 0', () => {
    const snap = snapshot([
      proc(10, counters({ uss: 100, shared: 50 })),
      proc(11, restrictedCounters(2048), { access: 'restricted', user: 'daemon' }),
    ]);
    const lines = frame(<ProcessScreen state={stateFor(snap, 120, 12)} />, 120);
    const row = lines.find((l) => /^ +11 /.test(l))!;
    expect(row).toMatch(/^ +11 daemon +restricted +- +2\.00 MiB +- +- +- +- /);
    expect(row).not.toContain('0 B');
  });

  it('drops columns on a 40×10 terminal, never wrapping', () => {
    const lines = frame(<ProcessScreen state={stateFor(busySnapshot(30), 40, 10)} />, 40);
    expectFits(lines, 40, 10);
    expect(lines).toHaveLength(9);
    const title = lines.find((l) => l.includes('PID'))!;
    expect(title).toMatch(/^ +PID +▼USS +SHARED COMMAND +$/);
    expect(title).not.toContain('PRIV-DIRTY');
  });

  it('survives terminals smaller than any layout', () => {
    for (const [columns, rows] of [
      [10, 3],
      [1, 1],
      [20, 2],
    ] as const) {
      const lines = frame(
        <ProcessScreen state={stateFor(busySnapshot(5), columns, rows)} />,
        columns,
      );
      expectFits(lines, columns, Math.max(2, rows));
    }
  });

  it('cuts long command lines to the width and defuses escape sequences in them', () => {
    const hostile = `/bin/evil \x1b]0;pwned\x07 ${'x'.repeat(300)}`;
    const snap = snapshot([proc(7, counters({ uss: 10 }), { cmdline: hostile })]);
    const raw = renderToString(<ProcessScreen state={stateFor(snap, 100, 10)} />, { columns: 100 });
    expect(raw).not.toContain('\x1b]');
    expect(raw).not.toContain('\x07');
    const lines = strip(raw).split('\n');
    expectFits(lines, 100, 10);
    const row = lines.find((l) => l.includes('/bin/evil'))!;
    expect(row).toHaveLength(100);
    expect(row).toMatch(/\/bin\/evil \?\]0;pwned\? x+$/);
  });

  it('draws the tree with rails', () => {
    const snap = snapshot([
      proc(1, counters({ uss: 10 }), { ppid: 0, cmdline: 'init' }),
      proc(2, counters({ uss: 30 }), { ppid: 1, cmdline: 'parent' }),
      proc(3, counters({ uss: 20 }), { ppid: 2, cmdline: 'child-a' }),
      proc(4, counters({ uss: 40 }), { ppid: 2, cmdline: 'child-b' }),
      proc(5, counters({ uss: 5 }), { ppid: 1, cmdline: 'other' }),
    ]);
    const lines = frame(<ProcessScreen state={run(stateFor(snap, 80, 14), 'tree')} />, 80);
    const at = lines[2]!.indexOf('COMMAND');
    const commands = lines.slice(3, 8).map((l) => l.slice(at).trim());
    expect(commands).toEqual(['init', '├─ parent', '│ ├─ child-b', '│ └─ child-a', '└─ other']);
  });
});

/** One process with an anonymous mapping of 8 pages: 4 written (private), 2 shared by 3, 2 absent. */
function withMapping(extra: Partial<Snapshot> = {}) {
  const start = 0x7f0000000000;
  const pages = pageTable([
    anonPage(0, 1),
    anonPage(1, 1),
    anonPage(2, 1),
    anonPage(3, 1),
    anonPage(4, 3),
    anonPage(5, 3),
    { index: 6, bits: PM_SWAPPED, count: 0 },
  ]);
  const m = mapping(start, 8, {
    pageBegin: 0,
    pageEnd: 7,
    counters: counters({ uss: 16, shared: 8, swap: 4 }),
  });
  const vsyscall = mapping(0xffffffffff600000, 1, { perms: '--xp', path: '[vsyscall]' });
  const p = proc(42, counters({ uss: 16, shared: 8 }), { mappings: [m, vsyscall], pages });
  return { snap: snapshot([p], extra), start };
}

describe('mapping view', () => {
  it('lists mappings like pmap -X with a totals line', () => {
    const { snap, start } = withMapping();
    const state = run(stateFor(snap, 120, 14), 'open');
    const lines = frame(<MappingScreen state={state} />, 120);
    expectFits(lines, 120, 14);
    expect(lines[0]).toBe('PID 42  root  /usr/bin/proc42 --serve');
    expect(lines[2]).toMatch(
      /▲ADDRESS +PERM +RSS +PSS +USS +SHARED +PRIV-DIRTY SHARED WITH +MAPPING/,
    );
    expect(lines[3]).toMatch(
      new RegExp(
        `^${start.toString(16)}-${(start + 8 * 4096).toString(16)} rw-p 24.0 KiB .* 16.0 KiB +8.00 KiB .*\\[anon\\]`,
      ),
    );
    expect(lines[4]).toMatch(/^ffffffffff600000 +--xp .*\[vsyscall\]$/);
    expect(lines.find((l) => l.startsWith('TOTAL'))).toMatch(/^TOTAL +24\.0 KiB .* 2 mappings$/);
  });

  it('explains a restricted process instead of showing nothing', () => {
    const restricted = [proc(9, restrictedCounters(100), { access: 'restricted' as const })];
    const asUser = snapshot(restricted, { privileged: false });
    const userLines = frame(<MappingScreen state={run(stateFor(asUser, 100, 12), 'open')} />, 100);
    expect(userLines).toContain(
      'process 9 is restricted: this user may not read its mappings (run memtop as root)',
    );
    const asRoot = snapshot(restricted);
    const rootLines = frame(<MappingScreen state={run(stateFor(asRoot, 100, 12), 'open')} />, 100);
    expect(rootLines).toContain(
      'process 9 is restricted: the kernel refuses to show its mappings even to root',
    );
  });
});

describe('page map', () => {
  it('draws one lettered cell per page, the legend, and the page under the cursor', () => {
    const { snap, start } = withMapping();
    const state = run(stateFor(snap, 100, 16), 'open', 'open');
    const lines = frame(<PageMapScreen state={state} />, 100);
    expectFits(lines, 100, 16);
    expect(lines[0]).toContain(
      `${start.toString(16)}-${(start + 8 * 4096).toString(16)} rw-p [anon]`,
    );
    expect(lines[1]).toMatch(/^8 pages \(32\.0 KiB\) {2}zoom: 1 page per cell \(all\)/);
    expect(lines[2]).toBe(`${start.toString(16)} DDDD33S.`);
    const legend = lines.filter((l) => l.includes('not present') || l.includes('KSM')).join('  ');
    for (const name of [
      '. not present',
      'D private dirty',
      '2 shared by 2',
      '3-9 shared by 3–9',
      '# shared by 10+',
    ]) {
      expect(legend).toContain(name);
    }
    for (const name of ['S swapped', '0 zero page', 'T THP', 'K KSM'])
      expect(legend).toContain(name);
    expect(lines[13]).toMatch(
      /^7f0000000000 {2}page 1\/8 {2}private dirty {2}map count 1 {2}PFN 0x1000 {2}flags lru,anon,swapbacked/,
    );
    expect(lines[14]).toMatch(/←↑↓→ Move/);
  });

  it('colours cells by state, and only letters under NO_COLOR', () => {
    const { snap } = withMapping();
    const coloured = renderToString(
      <PageMapScreen state={run(stateFor(snap, 100, 16, true), 'open', 'open')} />,
      {
        columns: 100,
      },
    );
    expect(coloured).toMatch(/\x1b\[[0-9;]*31m/); // dirty: red
    expect(coloured).toMatch(/\x1b\[[0-9;]*34m/); // shared by 3: blue
    const plain = renderToString(
      <PageMapScreen state={run(stateFor(snap, 100, 16, false), 'open', 'open')} />,
      {
        columns: 100,
      },
    );
    expect(plain).not.toMatch(/\x1b\[[0-9;]*3[0-7]m/);
  });

  it('shows the map count of a shared page and hides the PFN when not privileged', () => {
    const { snap } = withMapping({ privileged: false });
    const state = run(stateFor(snap, 100, 16), 'open', 'open', 'right', 'right', 'right', 'right');
    const status = frame(<PageMapScreen state={state} />, 100)[13]!;
    expect(status).toMatch(/page 5\/8 {2}shared by 3 {2}map count 3/);
    expect(status).not.toContain('PFN');
  });

  it('zooms: several pages per cell, the most common state wins', () => {
    const { snap } = withMapping();
    const state = run(stateFor(snap, 100, 16), 'open', 'open', 'zoom-out');
    const lines = frame(<PageMapScreen state={state} />, 100);
    expect(lines[1]).toContain('zoom: 1 page per cell (all)');
    const big = mapping(0x10000000, 4096, { pageBegin: 0, pageEnd: 2 });
    const p = proc(5, counters({ uss: 8 }), {
      mappings: [big],
      pages: pageTable([anonPage(0, 1), anonPage(4095, 2)]),
    });
    const zoomed = run(stateFor(snapshot([p]), 60, 12), 'open', 'open');
    const z = frame(<PageMapScreen state={zoomed} />, 60);
    expect(z[1]).toMatch(/^4096 pages \(16\.0 MiB\) {2}zoom: 32 pages per cell \(all\)/);
    expect(z[2]).toBe(`10000000 D${'.'.repeat(31)}`);
    expect(z[5]).toBe(`10c00000 ${'.'.repeat(31)}2`);
    const inOnce = frame(<PageMapScreen state={run(zoomed, 'zoom-in')} />, 60);
    expect(inOnce[1]).toContain('zoom: 16 pages per cell  ');
  });
});

describe('help screen', () => {
  it('is generated from the key table', () => {
    const state = run(stateFor(busySnapshot(3), 120, 80), 'help');
    const text = frame(<HelpScreen state={state} />, 120).join('\n');
    for (const b of KEY_BINDINGS) expect(text).toContain(`${b.label.padEnd(12)}${b.help}`);
    expect(text).toContain(
      'i PID  u USS  p PSS  r RSS  s SHARED  d PRIV-DIRTY  w SWAP  c ΔUSS  o COW/s  b SHR+/s  n COMMAND',
    );
  });

  it('scrolls on a short terminal and fits it', () => {
    const state = run(stateFor(busySnapshot(3), 60, 12), 'help', 'page-down');
    const lines = frame(<HelpScreen state={state} />, 60);
    expectFits(lines, 60, 12);
    expect(lines[1]).not.toBe('Keys (the same table dispatches them)');
  });
});
