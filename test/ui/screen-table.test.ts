// The screen table is complete: every screen is reached from the process list with the keys the
// key table binds, Esc from each returns to the screen (and the subject) it was opened from, and
// the keys the key table binds on a screen are the ones the screen acts on.
import type { Key } from 'ink';
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { computeLibraries } from '../../src/model/libraries.js';
import { buildSharerIndex } from '../../src/model/sharers.js';
import { computeSharingReport } from '../../src/model/sharing-report.js';
import { PLAIN_KEY } from '../../src/ui/key-input.js';
import {
  KEY_BINDINGS,
  resolveKey,
  type Command,
  type KeyBinding,
  type KeySpec,
} from '../../src/ui/keys.js';
import { SCREENS, screenIntents, type ScreenId } from '../../src/ui/screens/index.js';
import { appReducer } from '../../src/ui/state/app-reducer.js';
import { initialAppState, keyContext, type AppState } from '../../src/ui/state/app-state.js';
import {
  PAGE,
  anonPage,
  counters,
  forkFamily,
  mapping,
  pageTable,
  proc,
  snapshot,
} from '../helpers/synthetic.js';

/** First on the list (the most USS): a mapping of 5000 pages, more than a page map shows at one a cell. */
const big = proc(30, counters({ uss: 900 }), {
  mappings: [mapping(0x10000, 5000, { pageBegin: 0, pageEnd: 1 })],
  pages: pageTable([anonPage(0, 1)]),
});
const fork = forkFamily(1);
const family = snapshot([...fork.processes, big], { timeMs: fork.timeMs });
const index = buildSharerIndex(family.processes);

/** The process list of a parent and its child, with what every screen draws from. */
function start(): AppState {
  const s = initialAppState({
    sortKey: 'uss',
    intervalMs: 1000,
    color: false,
    viewport: { columns: 120, rows: 30 },
  });
  const libraries = { timeMs: family.timeMs, libraries: computeLibraries(family.processes) };
  const sharing = computeSharingReport(index, family.timeMs, 11, PAGE);
  const update = { snapshot: family, sharers: index, sharing, libraries };
  return appReducer(s, { type: 'session', update, nowMs: 0 });
}

/** A key press as the terminal gives it. */
function keyOf(spec: KeySpec): { input: string; key: Key } {
  const key = { ...PLAIN_KEY, ctrl: spec.ctrl ?? false, ...(spec.key && { [spec.key]: true }) };
  return { input: spec.input ?? '', key };
}

function press(state: AppState, spec: KeySpec): AppState {
  return appReducer(state, { type: 'key', ...keyOf(spec), nowMs: 0 });
}

const ESC: KeySpec = { key: 'escape' };

/** The keys live on a state's screen, one press each, with the command the key table gives. */
function liveKeys(state: AppState): { spec: KeySpec; command: Command; binding: KeyBinding }[] {
  const live: { spec: KeySpec; command: Command; binding: KeyBinding }[] = [];
  for (const b of KEY_BINDINGS)
    for (const spec of b.keys) {
      const { input, key } = keyOf(spec);
      if (resolveKey(input, key, keyContext(state)) === b.command)
        live.push({ spec, command: b.command, binding: b });
    }
  return live;
}

interface Step {
  from: AppState;
  command: Command;
  to: AppState;
}

/** Every screen reached from the list by the keys, and each step that opened another screen. */
function explore(): { reached: Map<ScreenId, AppState>; opened: Step[] } {
  const reached = new Map<ScreenId, AppState>([['processes', start()]]);
  const opened: Step[] = [];
  const queue = [start()];
  while (queue.length > 0) {
    const from = queue.shift()!;
    for (const { spec, command } of liveKeys(from)) {
      // Going back, and help's key again, which leaves help.
      if (command === 'back' || (from.screen === 'help' && command === 'help')) continue;
      const to = press(from, spec);
      if (to.screen === from.screen) continue;
      opened.push({ from, command, to });
      if (!reached.has(to.screen)) {
        reached.set(to.screen, to);
        queue.push(to);
      }
    }
  }
  return { reached, opened };
}

/** The child (pid 11) selected: its row is second by pid. */
function childSelected(state: AppState): AppState {
  const byPid = appReducer(state, { type: 'key', input: 's', key: PLAIN_KEY, nowMs: 0 });
  const picked = appReducer(byPid, { type: 'pick', letter: 'i', nowMs: 0 });
  const home = appReducer(picked, { type: 'command', command: 'home', nowMs: 0 });
  return appReducer(home, { type: 'command', command: 'down', nowMs: 0 });
}

describe('screen table', () => {
  const { reached, opened } = explore();

  it('reaches every screen from the process list with the keys of the key table', () => {
    expect([...reached.keys()].sort()).toEqual(Object.keys(SCREENS).sort());
  });

  it('goes back with Esc from every screen it opened to the screen and subject it came from', () => {
    // Shares opened from both the list and the mapping view, help from every screen.
    const steps = opened.map((s) => `${s.from.screen} ${s.command} ${s.to.screen}`);
    expect(steps).toContain('processes shares shares');
    expect(steps).toContain('mappings shares shares');
    for (const id of Object.keys(SCREENS)) {
      if (id !== 'help') expect(steps).toContain(`${id} help help`);
    }
    for (const { from, command, to } of opened) {
      const back = press(to, ESC);
      expect(back.screen, `${from.screen} ${command}, then Esc`).toBe(from.screen);
      expect(screenIntents(back)).toEqual(screenIntents(from));
    }
  });

  it('keeps the process on screen through the page map and back', () => {
    const list = childSelected(start());
    const open: KeySpec = { key: 'return' };
    const mappings = press(list, open);
    const pages = press(mappings, open);
    expect([mappings.screen, pages.screen]).toEqual(['mappings', 'pages']);
    expect(screenIntents(pages)).toMatchObject({ focusPid: 11, sharersPid: 11 });
    expect(screenIntents(pages).focusMapping).toBe(mappings.mappings.rows.at(0)!.start);
    const back = press(pages, ESC);
    expect(back.screen).toBe('mappings');
    expect(screenIntents(back)).toEqual({ focusPid: 11, sharersPid: 11 });
    const list2 = press(back, ESC);
    expect(list2.screen).toBe('processes');
    expect(list2.processes.cursor.selectedKey).toBe(list.processes.cursor.selectedKey);
  });

  it('acts on every key the key table binds on some screens only, where it binds it', () => {
    for (const [id, state] of reached) {
      const live = liveKeys(state);
      // The state on the screen, and after each of its keys: zoom out acts once zoomed in.
      const around = [state, ...live.map((k) => press(state, k.spec))].filter(
        // Not with a note on the status line: any key clears it.
        (s) => s.screen === id && !s.prompt && s.message === undefined,
      );
      for (const { spec, command, binding } of live) {
        if (binding.contexts.includes('screens')) continue;
        // Esc on the list clears the filters (state.test.ts): there are none to clear here.
        if (id === 'processes' && command === 'back') continue;
        const acts = around.some((s) => !isDeepStrictEqual(press(s, spec), s));
        expect(acts, `${command} on ${id}`).toBe(true);
      }
    }
  });

  it('sorts by the letter of each sort column exactly on the screens that have sort keys', () => {
    for (const [id, state] of reached) {
      const prompt = press(state, { input: 's' });
      const sort = SCREENS[id].sort;
      expect(keyContext(prompt), id).toBe(sort ? 'sort' : id);
      if (!sort) continue;
      for (const column of sort.columns) {
        const picked = appReducer(prompt, { type: 'pick', letter: column.pick!, nowMs: 0 });
        expect(sort.current(picked).sortKey, `${id} ${column.pick}`).toBe(column.sortKey);
        expect(keyContext(picked)).toBe(id);
      }
    }
  });
});
