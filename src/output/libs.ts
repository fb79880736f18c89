import { pssBytes } from '../model/counters.js';
import { sharingRatio, type Library } from '../model/libraries.js';
import { countersToJson } from './json.js';
import { fit, formatBytes } from '../format/size.js';
import { sanitize } from '../format/text.js';

const W = 10;

export function libraryTitle(): string {
  return [
    fit('PROCS', 6, 'right'),
    ...['ΣRSS', 'ΣPSS', 'PRIVATE', 'PRIV-DIRTY', 'SHARED'].map((t) => fit(t, W, 'right')),
    fit('RATIO', 6, 'right'),
    'FILE',
  ].join(' ');
}

export function libraryRow(lib: Library): string {
  const c = lib.counters;
  const ratio = sharingRatio(c);
  return [
    fit(String(lib.users.length), 6, 'right'),
    ...[c.rssBytes, pssBytes(c), c.ussBytes, c.privateDirtyBytes, c.sharedBytes].map((b) =>
      fit(formatBytes(b), W, 'right'),
    ),
    fit(Number.isNaN(ratio) ? '-' : ratio.toFixed(1), 6, 'right'),
    sanitize(lib.path),
  ].join(' ');
}

/** `memtop libs`: one row per mapped file; with `users`, each process under its file. */
export function formatLibraries(libs: readonly Library[], users: boolean): string {
  const lines = [libraryTitle()];
  for (const lib of libs) {
    lines.push(libraryRow(lib));
    if (!users) continue;
    for (const u of lib.users) {
      const c = u.counters;
      lines.push(
        `${' '.repeat(7)}${[c.rssBytes, pssBytes(c), c.ussBytes, c.privateDirtyBytes, c.sharedBytes]
          .map((b) => fit(formatBytes(b), W, 'right'))
          .join(' ')} ${' '.repeat(6)} ${u.pid} ${sanitize(u.comm)}`,
      );
    }
  }
  return lines.join('\n') + '\n';
}

/** `memtop libs --json`: sizes in bytes, sharingRatio = Σ RSS / Σ PSS. */
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
