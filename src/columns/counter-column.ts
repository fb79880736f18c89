import { COUNTER_BY_NAME, type CounterDef } from '../model/counter-table.js';
import type { Counters } from '../model/types.js';
import { VIEW_SORT_KEYS, type ViewSortKey } from '../model/view-sort.js';
import { formatBytes } from '../format/size.js';
import type { Column } from './table.js';

/** A size in a fixed-width cell: "-" when unknown, never 0. */
export const sizeText = (bytes: number): string => formatBytes(bytes);

/**
 * How a counter's column is told apart where its name alone does not say it: its id and sort
 * key (privateDirty sorts as "dirty") and the letter that picks it at the sort prompt, the
 * same in every table. A counter not listed has its name as id, sorts by its name when that
 * is a sort key, and has no letter.
 */
const COUNTER_COLUMN_TRAITS: Readonly<
  Record<string, { id?: string; sortKey?: ViewSortKey; pick?: string }>
> = {
  uss: { pick: 'u' },
  pss: { pick: 'p' },
  rss: { pick: 'r' },
  shared: { pick: 's' },
  privateDirty: { id: 'dirty', sortKey: 'dirty', pick: 'd' },
  swap: { pick: 'w' },
};

/** What a table says of its column of one counter; the rest comes from the counter table. */
export interface CounterColumnSpec<R> {
  /** The counters of a row. */
  counters: (row: R) => Counters;
  width: number;
  /** 0: always shown; higher numbers are dropped first on a narrow terminal. */
  priority: number;
  /** Default: the counter's title. */
  title?: string;
  /** Default: the counter's name (privateDirty: "dirty"). */
  id?: string;
  /** A text that stands for the size in some rows ("restricted"); undefined: the size. */
  note?: (row: R) => string | undefined;
}

/** The counter of that name in the counter table; an unknown name is a mistake in the code. */
export function counterNamed(name: string): CounterDef {
  const def = COUNTER_BY_NAME.get(name);
  if (!def) throw new TypeError(`No counter is named "${name}" (see model/counter-table.ts)`);
  return def;
}

const isSortKey = (name: string): name is ViewSortKey =>
  (VIEW_SORT_KEYS as readonly string[]).includes(name);

/**
 * The column of one counter of the counter table, by its name: its title, value and
 * description come from the table, its sort key and letter from the traits above, so that a
 * new counter gets a column in any table by naming it.
 */
export function counterColumn<R>(name: string, spec: CounterColumnSpec<R>): Column<R> {
  const def = counterNamed(name);
  const traits = COUNTER_COLUMN_TRAITS[name] ?? {};
  const sortKey = traits.sortKey ?? (isSortKey(name) ? name : undefined);
  const { counters, note } = spec;
  return {
    id: spec.id ?? traits.id ?? name,
    title: spec.title ?? def.title,
    width: spec.width,
    align: 'right',
    priority: spec.priority,
    ...(sortKey ? { sortKey } : {}),
    ...(traits.pick ? { pick: traits.pick } : {}),
    description: def.description,
    text: note
      ? (r) => note(r) ?? sizeText(def.value(counters(r)))
      : (r) => sizeText(def.value(counters(r))),
  };
}
