// Builds fixture /proc trees for the edge cases a live kernel cannot produce on demand.
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  closeSync,
  ftruncateSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  rmSync,
  symlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface FixturePage {
  /** Page index inside the mapping. */
  index: number;
  pfn?: number;
  present?: boolean;
  swapped?: boolean;
  exclusive?: boolean;
  file?: boolean;
}

export interface FixtureMapping {
  start: number;
  end: number;
  perms?: string;
  offset?: number;
  dev?: string;
  inode?: number;
  path?: string;
  pages?: FixturePage[];
}

export interface FixtureProcess {
  pid: number;
  comm?: string;
  ppid?: number;
  state?: string;
  /** stat field 9 (PF_* flags). */
  flags?: number;
  startTime?: number;
  /** status's Tgid: another pid makes this directory a thread's. */
  tgid?: number;
  uid?: number;
  cmdline?: string[];
  mappings?: FixtureMapping[];
  /** Raw file contents that override the generated ones (to truncate or corrupt them). */
  files?: Record<string, string | Buffer>;
  /** Files not to create at all (a process vanishing mid-read). */
  missing?: string[];
  /** Files made unreadable (mode 000): only effective for a non-root reader. */
  unreadable?: string[];
  statmResidentPages?: number;
}

export interface FixturePfn {
  pfn: number;
  count: number;
  flags: number;
}

/** Formats a maps line exactly as the kernel does: header padded to column 72, a space, the path. */
export function mapsLine(m: FixtureMapping): string {
  const hex = (n: number, width = 8) => n.toString(16).padStart(width, '0');
  const head = `${hex(m.start)}-${hex(m.end)} ${m.perms ?? 'rw-p'} ${hex(m.offset ?? 0)} ${m.dev ?? '00:00'} ${m.inode ?? 0} `;
  return m.path ? `${head.padEnd(72)} ${m.path}` : head;
}

function statLine(p: FixtureProcess): string {
  const fields = [p.state ?? 'S', p.ppid ?? 1, p.pid, p.pid, 0, -1, p.flags ?? 4194304];
  // fields 10..21 then starttime (22) and a few more
  const rest = [0, 0, 0, 0, 0, 0, 0, 0, 20, 0, 1, 0, p.startTime ?? 1000, 1000000, 100];
  return `${p.pid} (${p.comm ?? 'proc'}) ${[...fields, ...rest].join(' ')}\n`;
}

function pagemapBuffer(
  mappings: FixtureMapping[],
  pageSize: number,
): { buffer: Buffer; offset: number } {
  // The fixture pagemap is sparse on purpose: only the bytes up to the last mapping exist.
  const last = Math.max(0, ...mappings.map((m) => m.end));
  const first = Math.min(...mappings.map((m) => m.start), last);
  const buffer = Buffer.alloc(((last - first) / pageSize) * 8);
  for (const m of mappings) {
    for (const page of m.pages ?? []) {
      const at = ((m.start - first) / pageSize + page.index) * 8;
      let hi = 0;
      if (page.present ?? true) hi |= 0x80000000;
      if (page.swapped) hi = (hi & ~0x80000000) | 0x40000000;
      if (page.file) hi |= 0x20000000;
      if (page.exclusive) hi |= 0x01000000;
      const pfn = page.pfn ?? 0;
      buffer.writeUInt32LE(pfn % 2 ** 32, at);
      buffer.writeUInt32LE((hi | Math.floor(pfn / 2 ** 32)) >>> 0, at + 4);
    }
  }
  return { buffer, offset: (first / pageSize) * 8 };
}

/** A fixture proc tree in a fresh temporary directory. */
export class FixtureProc {
  readonly root: string;

  constructor(private readonly pageSize = 4096) {
    this.root = mkdtempSync(join(tmpdir(), 'memtop-proc-'));
    chmodSync(this.root, 0o755);
    this.write(
      'meminfo',
      'MemTotal:       16384000 kB\nMemFree:         8000000 kB\nMemAvailable:   12000000 kB\nSwapTotal:             0 kB\nSwapFree:              0 kB\n',
    );
    this.write('sys/kernel/osrelease', '6.18.0-fixture\n');
    this.write('sys/kernel/hostname', 'fixture-host\n');
    this.kpages([]);
  }

  write(path: string, content: string | Buffer, mode = 0o644): void {
    const full = join(this.root, path);
    mkdirSync(join(full, '..'), { recursive: true, mode: 0o755 });
    writeFileSync(full, content);
    chmodSync(full, mode);
  }

  /** kpagecount and kpageflags with the given entries (others read as 0). */
  kpages(entries: FixturePfn[]): void {
    const max = Math.max(0, ...entries.map((e) => e.pfn)) + 1;
    const counts = Buffer.alloc(max * 8);
    const flags = Buffer.alloc(max * 8);
    for (const e of entries) {
      counts.writeUInt32LE(e.count, e.pfn * 8);
      flags.writeUInt32LE(e.flags, e.pfn * 8);
    }
    this.write('kpagecount', counts, 0o400);
    this.write('kpageflags', flags, 0o400);
  }

  process(p: FixtureProcess): void {
    const mappings = p.mappings ?? [];
    const { buffer, offset } = pagemapBuffer(mappings, this.pageSize);
    // A real pagemap is read at offset vaddr/pagesize*8; write the bytes at that offset (sparse file).
    const files: Record<string, string | Buffer> = {
      stat: statLine(p),
      status: this.status(p, mappings),
      cmdline: (p.cmdline ?? [p.comm ?? 'proc']).map((a) => `${a}\0`).join(''),
      maps: mappings.map((m) => mapsLine(m) + '\n').join(''),
      statm: `100 ${p.statmResidentPages ?? 0} 10 1 0 50 0\n`,
      smaps_rollup:
        '00400000-7ffff000 ---p 00000000 00:00 0                          [rollup]\nRss:                   0 kB\n',
      ...p.files,
    };
    const dir = String(p.pid);
    for (const [name, content] of Object.entries(files)) {
      if (p.missing?.includes(name)) continue;
      this.write(`${dir}/${name}`, content, p.unreadable?.includes(name) ? 0 : 0o644);
    }
    if (!p.missing?.includes('pagemap') && !('pagemap' in (p.files ?? {}))) {
      this.writeSparse(
        `${dir}/pagemap`,
        buffer,
        offset,
        p.unreadable?.includes('pagemap') ? 0 : 0o644,
      );
    }
  }

  /** status as the kernel writes it for a process with memory: VmRSS and VmSwap of its pages. */
  private status(p: FixtureProcess, mappings: FixtureMapping[]): string {
    const pages = mappings.flatMap((m) => m.pages ?? []);
    const swapped = pages.filter((page) => page.swapped).length;
    const rssPages = p.statmResidentPages ?? pages.length - swapped;
    const kb = (n: number) => `${String((n * this.pageSize) / 1024).padStart(8)} kB`;
    const uid = p.uid ?? 0;
    return [
      `Name:\t${p.comm ?? 'proc'}`,
      `State:\t${p.state ?? 'S'}`,
      `Tgid:\t${p.tgid ?? p.pid}`,
      `Pid:\t${p.pid}`,
      `PPid:\t${p.ppid ?? 1}`,
      `Uid:\t${uid}\t${uid}\t${uid}\t${uid}`,
      `VmRSS:\t${kb(rssPages)}`,
      `RssAnon:\t${kb(0)}`,
      `RssFile:\t${kb(0)}`,
      `RssShmem:\t${kb(0)}`,
      `VmSwap:\t${kb(swapped)}`,
      '',
    ].join('\n');
  }

  private writeSparse(path: string, buffer: Buffer, offset: number, mode: number): void {
    const full = join(this.root, path);
    mkdirSync(join(full, '..'), { recursive: true, mode: 0o755 });
    // A positional write into a new file leaves a hole before `offset`, like a real pagemap.
    writeFileSync(full, '');
    const fd = openSync(full, 'r+');
    writeSync(fd, buffer, 0, buffer.length, offset);
    closeSync(fd);
    chmodSync(full, mode);
  }

  /** self/auxv with one entry, AT_PAGESZ (6), as the kernel writes it: pairs of u64, then AT_NULL. */
  auxvPageSize(value: bigint): void {
    const words = new BigUint64Array([6n, value, 0n, 0n]);
    this.write('self/auxv', Buffer.from(words.buffer));
  }

  /**
   * Puts something odd where a file of the tree is (or is not yet), as a corrupt or hostile
   * tree holds: a directory, a symbolic link (to `target`), a FIFO, or a sparse regular file of
   * `bytes` that begins with `head`.
   */
  odd(
    path: string,
    what:
      | { dir: true }
      | { link: string }
      | { fifo: true }
      | { sparseBytes: number; head?: Buffer | string },
  ): void {
    const full = join(this.root, path);
    rmSync(full, { recursive: true, force: true });
    mkdirSync(join(full, '..'), { recursive: true, mode: 0o755 });
    if ('dir' in what) mkdirSync(full, { mode: 0o755 });
    else if ('link' in what) symlinkSync(what.link, full);
    else if ('fifo' in what) execFileSync('mkfifo', ['-m', '644', full]);
    else {
      const fd = openSync(full, 'w', 0o644);
      if (what.head !== undefined) writeSync(fd, Buffer.from(what.head));
      ftruncateSync(fd, what.sparseBytes);
      closeSync(fd);
    }
  }

  remove(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}
