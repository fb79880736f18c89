import { sharingRatio, type Library } from '../model/libraries.js';
import type { Snapshot } from '../model/types.js';
import { formatRow, formatTitle, unboundedLayout } from '../columns/table.js';
import { LIBRARY_TEXT_COLUMNS, LIBRARY_USER_TEXT_COLUMNS } from '../columns/text-columns.js';
import { formatDocument } from './envelope.js';
import { countersToJson } from './json.js';

/** `memtop libs`: one row per mapped file; with `users`, each process under its file. */
export function formatLibraries(libs: readonly Library[], users: boolean): string {
  const table = unboundedLayout(LIBRARY_TEXT_COLUMNS);
  const under = unboundedLayout(LIBRARY_USER_TEXT_COLUMNS);
  const lines = [formatTitle(table, undefined, false)];
  for (const lib of libs) {
    lines.push(formatRow(table, { key: lib.key, library: lib }));
    if (users) for (const u of lib.users) lines.push(formatRow(under, u));
  }
  return lines.join('\n') + '\n';
}

/** The libraries of `memtop libs --json`: sizes in bytes, sharingRatio = Σ RSS / Σ PSS. */
export function librariesToJson(libs: readonly Library[]) {
  return libs.map((lib) => ({
    path: lib.path,
    dev: lib.key.split(':').slice(0, -1).join(':'),
    inode: Number(lib.key.split(':').at(-1)),
    processes: lib.users.length,
    ...countersToJson(lib.counters),
    sharingRatio: Number.isNaN(sharingRatio(lib.counters)) ? null : sharingRatio(lib.counters),
    users: lib.users.map((u) => ({ pid: u.pid, comm: u.comm, ...countersToJson(u.counters) })),
  }));
}

/** The `memtop libs --json` document: the envelope, then the libraries of the sample. */
export function formatLibrariesJson(snapshot: Snapshot, libs: readonly Library[]): string {
  return formatDocument(snapshot, { libraries: librariesToJson(libs) });
}
