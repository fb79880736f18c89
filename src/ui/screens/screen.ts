import type { ViewSortKey } from '../../model/view-sort.js';
import type { Command } from '../keys.js';
import type { AppState, Prompt } from '../state/app-state.js';
import type { Move } from '../state/list-cursor.js';
import type { ScreenId } from './index.js';

/** What a screen's actions are given: the time, and a way to redraw every list for a new screen. */
export interface ScreenContext {
  nowMs: number;
  /** Redraws the process list, then the screen the state is on (see refreshScreens). */
  refresh(state: AppState): AppState;
}

/** An action on a screen: pure, the state in and the next state out. */
export type ScreenAction = (state: AppState, ctx: ScreenContext) => AppState;

/** What a screen asks the session for while it is on screen (or under help); unset: nothing. */
export interface ScreenIntents {
  /** The process whose mappings and pages the session reads in every sample. */
  focusPid?: number;
  /** The mapping whose pages it reads twice per interval. */
  focusMapping?: number;
  /** The process whose sharing it computes (who shares its pages). */
  sharersPid?: number;
  /** Whether it builds the libraries. */
  libraries?: boolean;
}

/** How a sortable list is sorted: its columns (with their letters), its order, and re-sorting. */
export interface ScreenSort {
  columns: readonly { sortKey?: ViewSortKey; pick?: string; title: string }[];
  current(state: AppState): { sortKey: ViewSortKey; reverse: boolean };
  /** A new order: a held order is let go. */
  apply(
    state: AppState,
    change: { sortKey?: ViewSortKey; reverse?: boolean },
    ctx: ScreenContext,
  ): AppState;
}

/** A one-line prompt a screen opens: the text it starts with and what its text does as it is typed. */
export interface ScreenPrompt {
  kind: Exclude<Prompt['kind'], 'sort'>;
  text(state: AppState): string;
  apply(state: AppState, text: string, ctx: ScreenContext): AppState;
}

/**
 * One screen of the TUI, all of its behaviour in one place. The reducer, the drawing and the
 * intents read screens only through this interface and the table in ./index.ts; the keys come
 * from the one key table (../keys.ts), which says on which screens each key is live.
 */
export interface Screen {
  id: ScreenId;
  /** What the help calls it where a key works on some screens only ("list", "a library"). */
  name: string;
  /**
   * Redraws what it shows from the latest session data, after the process list (which every
   * screen keeps fresh: its rows on screen steer sampling); leaves, with a note, when what it
   * shows is gone.
   */
  refresh: ScreenAction;
  /** ↑ ↓ PgUp PgDn Home End. */
  move(state: AppState, move: Move, ctx: ScreenContext): AppState;
  /** Enter: what opening the selected row does (which screen, with what). */
  open?: ScreenAction;
  /** Esc: back to where it was opened from. */
  back: ScreenAction;
  /** Its sort keys and sorting (s, <, >, r), when it is a sortable list. */
  sort?: ScreenSort;
  /** The prompts its `filter` and `user` commands open. */
  prompts?: Partial<Record<'filter' | 'user', ScreenPrompt>>;
  /** The commands of its own keys beyond the common ones (tree, group, zoom, shares…). */
  commands?: Partial<Record<Command, ScreenAction>>;
  /** Every line of its frame, at most rows − 1 of them. */
  lines(state: AppState): string[];
  /** What it asks the session for. */
  intents(state: AppState): ScreenIntents;
}
