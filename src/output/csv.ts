import { COUNTER_NAMES } from '../model/counter-table.js';
import type { ProcessSample } from '../model/types.js';
import { countersToJson, type JsonCounters } from './json.js';
import { formatHex } from '../format/size.js';
import { sanitize } from '../format/text.js';

/** One column per counter of the table, named as in JSON. */
const COUNTER_COLUMNS: readonly (keyof JsonCounters)[] = COUNTER_NAMES;

/**
 * What a spreadsheet takes for a formula at the start of a cell: OWASP's list (CSV injection),
 * with tab and carriage return, which sanitize() has already made '?'.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One cell. Text from /proc is sanitized as on the terminal (controls '?', invalid bytes
 * `\xNN`); a text cell that would start a formula gets a leading `'` and quotes, as OWASP
 * recommends; otherwise RFC 4180 quoting. Numbers and booleans are written as they are.
 */
function cell(value: string | number | boolean | null): string {
  if (value === null) return '';
  if (typeof value !== 'string') return String(value);
  const text = sanitize(value);
  if (FORMULA_START.test(text)) return `"'${text.replaceAll('"', '""')}"`;
  return /[",]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

const row = (cells: (string | number | boolean | null)[]) => cells.map(cell).join(',');

/** The cells under `head` that name the process, on every row. */
const identity = (p: ProcessSample) => [p.pid, p.ppid, p.user, p.comm, p.access === 'restricted'];

/** One row per process, or with `mappings` one row per mapping; sizes in bytes, unknown empty. */
export function formatCsv(processes: readonly ProcessSample[], mappings: boolean): string {
  const lines: string[] = [];
  const head = ['pid', 'ppid', 'user', 'comm', 'restricted'];
  if (!mappings) {
    lines.push(row([...head, ...COUNTER_COLUMNS, 'cmdline']));
    for (const p of processes) {
      const c = countersToJson(p.totals);
      lines.push(row([...identity(p), ...COUNTER_COLUMNS.map((k) => c[k]), p.cmdline]));
    }
  } else {
    lines.push(
      row([...head, 'start', 'end', 'perms', 'offset', 'dev', 'inode', 'path', ...COUNTER_COLUMNS]),
    );
    for (const p of processes) {
      for (const m of p.mappings ?? []) {
        const c = countersToJson(m.counters);
        lines.push(
          row([
            ...identity(p),
            formatHex(m.start),
            formatHex(m.end),
            m.perms,
            formatHex(m.offset),
            m.dev,
            m.inode,
            m.path,
            ...COUNTER_COLUMNS.map((k) => c[k]),
          ]),
        );
      }
    }
  }
  return lines.join('\n') + '\n';
}
