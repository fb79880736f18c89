/**
 * Processes whose names, command lines and mapped file hold what /proc text can hold: UTF-8
 * (`café`, `進程`), bytes that are not UTF-8, terminal escapes (OSC 52 clipboard writes, title
 * changes, a raw C1 CSI byte and U+009B) and spreadsheet formulas. Each is the static workload
 * exec'd from a copy named with those bytes; all of them map one file whose name holds them
 * too (through an ASCII symlink: maps shows the file's own path).
 */
import { copyFileSync, chmodSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PAGE_SIZE, Workload, buildWorkload } from './workload.js';

const bytes = (...parts: (string | number[])[]) =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p))));

/** The kernel keeps the first 15 bytes of the exec'd file's name as comm. */
const COMM_BYTES = 15;

export interface HostileSpec {
  /** What the test calls it. */
  label: string;
  /** The copy's file name, which becomes the comm. */
  file: Buffer;
  argv0: Buffer;
}

/** A name with a title change (OSC 2) and one with an OSC 52 clipboard write. */
export const TITLE = 'pwned-title';
export const CLIPBOARD_BASE64 = 'cHduZWQ='; // "pwned"

export const SPECS: readonly HostileSpec[] = [
  { label: 'cafe', file: bytes('café'), argv0: bytes('café') },
  { label: 'cjk', file: bytes('進程'), argv0: bytes('進程') },
  { label: 'invalid', file: bytes('bad', [0xff, 0xfe]), argv0: bytes('bad', [0xff, 0xfe]) },
  {
    label: 'osc',
    file: bytes('\x1b]2;', TITLE.slice(0, 5), '\x07'),
    argv0: bytes(`\x1b]52;c;${CLIPBOARD_BASE64}\x07\x1b]2;${TITLE}\x07tail`),
  },
  {
    label: 'c1',
    file: bytes('c1', [0x9b], '31m', [0xc2, 0x9b], '1m'),
    argv0: bytes('c1', [0x9b], '31m', [0xc2, 0x9b], '1m', [0x7f], 'del'),
  },
  {
    label: 'equals',
    file: bytes('=cmd'),
    argv0: bytes('=HYPERLINK("http://example.invalid","x")'),
  },
  { label: 'at', file: bytes('@sum'), argv0: bytes('@SUM(1+1)') },
  { label: 'plus', file: bytes('+one'), argv0: bytes('+1') },
  { label: 'minus', file: bytes('-two'), argv0: bytes('-2') },
  /** Wider than a terminal: 160 columns of wide characters. */
  { label: 'long', file: bytes('long'), argv0: bytes('進'.repeat(80), 'END') },
];

/** The mapped file's name: every kind of byte above in one path component. */
export const DATA_NAME = bytes(
  'lib-café-進程-',
  [0xff, 0xfe],
  `-\x1b]52;c;${CLIPBOARD_BASE64}\x07-\x1b]2;${TITLE}\x07-`,
  [0x9b],
  '-',
  [0xc2, 0x9b],
  '.so',
);
export const DATA_PAGES = 4;

export interface HostileProcess extends HostileSpec {
  workload: Workload;
  pid: number;
  /** The bytes of /proc/PID/comm (without the newline) and of cmdline as memtop joins it. */
  comm: Buffer;
  cmdline: Buffer;
}

export interface HostileSet {
  dir: string;
  /** Ends every command line: picks these processes out of a list. */
  mark: string;
  /** The mapped file's full path, as bytes. */
  dataPath: Buffer;
  processes: HostileProcess[];
  byLabel(label: string): HostileProcess;
  stop(): Promise<void>;
}

/** Starts one process per SPECS entry, each mapping (and reading) the shared data file. */
export async function startHostile(): Promise<HostileSet> {
  const binary = await buildWorkload();
  const dir = mkdtempSync(join(tmpdir(), 'memtop-names-'));
  const mark = `mark${process.pid}`;
  const dataPath = Buffer.concat([Buffer.from(`${dir}/`), DATA_NAME]);
  writeFileSync(dataPath, Buffer.alloc(DATA_PAGES * PAGE_SIZE, 7));
  symlinkSync(dataPath, join(dir, 'data'));
  const processes: HostileProcess[] = [];
  const set: HostileSet = {
    dir,
    mark,
    dataPath,
    processes,
    byLabel(label) {
      const p = processes.find((x) => x.label === label);
      if (!p) throw new Error(`no process ${label}`);
      return p;
    },
    async stop() {
      await Promise.all(processes.map((p) => p.workload.stop()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    for (const spec of SPECS) {
      const path = Buffer.concat([Buffer.from(`${dir}/`), spec.file]);
      copyFileSync(binary, path);
      chmodSync(path, 0o755);
      const workload = await Workload.start({
        exec: { path, argv: [spec.argv0, Buffer.from(mark)] },
      });
      await workload.file(join(dir, 'data'), DATA_PAGES);
      processes.push({
        ...spec,
        workload,
        pid: workload.pid,
        comm: spec.file.subarray(0, COMM_BYTES),
        cmdline: Buffer.concat([spec.argv0, Buffer.from(` ${mark}`)]),
      });
    }
  } catch (error) {
    await set.stop();
    throw error;
  }
  return set;
}
