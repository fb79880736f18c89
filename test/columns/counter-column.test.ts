// The counter-column factory: any counter of the counter table gets a column by its name, and
// the lists, the text tables and the help take their size columns from it.
import { SCREENS } from '../../src/ui/screens/index.js';
import { describe, expect, it } from 'vitest';
import { COUNTERS } from '../../src/model/counter-table.js';
import { counterColumn } from '../../src/columns/counter-column.js';
import { LIBRARY_COLUMNS } from '../../src/columns/library-columns.js';
import { mappingColumns, type MappingRow } from '../../src/columns/mapping-columns.js';
import { PROCESS_COLUMNS, type ProcessRow } from '../../src/columns/process-columns.js';
import {
  formatRow,
  formatTitle,
  layoutColumns,
  unboundedLayout,
  type Column,
} from '../../src/columns/table.js';
import { processTextColumns } from '../../src/columns/text-columns.js';
import { formatBytes } from '../../src/format/size.js';
import { helpLines } from '../../src/ui/help.js';
import { counters, proc, restrictedCounters } from '../helpers/synthetic.js';
import type { Counters, ProcessSample } from '../../src/model/types.js';

// Every counter a different size, so that a column showing another counter's value is seen.
const c = counters({ uss: 100, pss: 300, rss: 700, shared: 600, dirty: 40, swap: 8 });
c.fileBytes = 5 * 1024 ** 2;
c.shmemBytes = 6 * 1024 ** 3;
c.ksmBytes = 7 * 1024 ** 2;

describe('counterColumn', () => {
  it.each(COUNTERS.map((def) => [def.name, def] as const))(
    'makes a column of %s from its counter-table entry',
    (name, def) => {
      const column = counterColumn(name, { counters: (x: Counters) => x, width: 9, priority: 4 });
      expect(column).toMatchObject({
        title: def.title,
        description: def.description,
        width: 9,
        align: 'right',
        priority: 4,
      });
      expect(column.text(c)).toBe(formatBytes(def.value(c)));
      expect(column.text(restrictedCounters(4))).toBe(
        name === 'rss' ? '4.00 KiB' : '-', // unknown is "-", never 0
      );
    },
  );

  it('sorts and picks a counter as the sort keys name it, and lets a table rename it', () => {
    const dirty = counterColumn('privateDirty', {
      counters: (x: Counters) => x,
      width: 10,
      priority: 0,
      title: 'DIRTY',
      note: (x) => (x.rssBytes === 0 ? 'none' : undefined),
    });
    expect(dirty).toMatchObject({ id: 'dirty', sortKey: 'dirty', pick: 'd', title: 'DIRTY' });
    expect(dirty.text(counters({}))).toBe('none');
    expect(dirty.text(c)).toBe('40.0 KiB');
    // A counter no sort key names sorts by nothing and has no letter.
    const file = counterColumn('file', { counters: (x: Counters) => x, width: 8, priority: 0 });
    expect(file.sortKey).toBeUndefined();
    expect(file.pick).toBeUndefined();
  });

  it('refuses a name the counter table does not have', () => {
    expect(() =>
      counterColumn('nonesuch', { counters: (x: Counters) => x, width: 8, priority: 0 }),
    ).toThrow(/No counter is named "nonesuch"/);
  });
});

/** A process as a row of a list. */
function processRow(p: ProcessSample): ProcessRow {
  return {
    key: 'k',
    process: p,
    deltaBytes: undefined,
    hasPrevious: false,
    treePrefix: '',
    rates: undefined,
    age: '',
  };
}

/** The counter a list's size column shows, found by the value it prints. */
function shownCounter<R>(column: Column<R>, row: R): string | undefined {
  const text = column.text(row);
  return COUNTERS.find((def) => formatBytes(def.value(c)) === text)?.name;
}

/** Each size column of a list shows its counter's value and carries its description. */
function expectCounterColumns<R>(
  name: string,
  columns: readonly Column<R>[],
  row: R,
  renamed: Record<string, string> = {},
) {
  const sizes = columns.filter((col) => COUNTERS.some((d) => d.description === col.description));
  expect(sizes.length, name).toBeGreaterThanOrEqual(5);
  for (const col of sizes) {
    const counter = shownCounter(col, row);
    const def = COUNTERS.find((d) => d.name === counter)!;
    expect(def.description, `${name} ${col.id}`).toBe(col.description);
    expect(renamed[col.id] ?? (col.id === 'dirty' ? 'privateDirty' : col.id)).toBe(counter);
  }
}

describe('the tables built from it', () => {
  it('give every size column of the lists its counter’s value and description', () => {
    expectCounterColumns('process', PROCESS_COLUMNS, processRow(proc(1, c)));
    expectCounterColumns('mapping', mappingColumns(12), { counters: c } as MappingRow);
    expectCounterColumns(
      'library',
      LIBRARY_COLUMNS,
      { key: 'k', library: { key: 'k', path: '/lib', counters: c, users: [] } },
      { private: 'uss' },
    );
  });

  it('lay out the text table unbounded: the last column whole, no padding, no cut', () => {
    const long = '/a/very/long/command/line '.repeat(20).trim();
    const row = processRow(proc(42, c, { cmdline: long }));
    const text = unboundedLayout(processTextColumns(false));
    const line = formatRow(text, row);
    expect(line.endsWith(` ${long}`)).toBe(true);
    expect(formatTitle(text, 'pss', false)).toMatch(/^ {4}PID USER {13}USS {7}▼PSS .* COMMAND$/);
    // The same columns on a screen of 80 are cut to it, and the title padded to it.
    const screen = layoutColumns(processTextColumns(false), 80);
    expect(formatRow(screen, row)).toHaveLength(80);
    expect(formatTitle(screen, 'pss', false)).toHaveLength(80);
  });

  it('are what the help lists, with each counter’s description', () => {
    const help = helpLines(false, Object.values(SCREENS)).join('\n');
    for (const col of PROCESS_COLUMNS.filter((x) => x.description))
      expect(help).toContain(`  ${col.title.padEnd(12)}${col.description!.split('\n')[0]}`);
  });
});
