// Proves the workload harness against the live kernel (needs root, gcc and a static libc).
import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  PAGE_SIZE,
  Workload,
  buildWorkload,
  isAlive,
  stopAllWorkloads,
} from '../helpers/workload.js';

interface Vma {
  start: number;
  end: number;
  perms: string;
  name: string;
  kb: Record<string, number>;
}

function readSmaps(pid: number): Vma[] {
  const vmas: Vma[] = [];
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const head = /^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head) {
      const [, start = '', end = '', perms = '', name = ''] = head;
      vmas.push({ start: parseInt(start, 16), end: parseInt(end, 16), perms, name, kb: {} });
      continue;
    }
    const field = /^(\w+):\s+(\d+) kB$/.exec(line);
    const vma = vmas.at(-1);
    if (field && vma) vma.kb[field[1] ?? ''] = Number(field[2]);
  }
  return vmas;
}

/** The smaps entry of the VMA starting exactly at addr. */
function vmaAt(pid: number, addr: number): Vma {
  const vma = readSmaps(pid).find((v) => v.start === addr);
  if (!vma) throw new Error(`pid ${pid} has no VMA starting at 0x${addr.toString(16)}`);
  return vma;
}

function rollup(pid: number): Record<string, number> {
  const kb: Record<string, number> = {};
  for (const m of readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8').matchAll(
    /^(\w+):\s+(\d+) kB$/gm,
  )) {
    kb[m[1] ?? ''] = Number(m[2]);
  }
  return kb;
}

/** Reads `count` consecutive little-endian u64 entries of a /proc binary file. */
function readU64s(path: string, index: number, count: number): bigint[] {
  const buf = Buffer.alloc(count * 8);
  const fd = openSync(path, 'r');
  try {
    expect(readSync(fd, buf, 0, buf.length, index * 8)).toBe(buf.length);
  } finally {
    closeSync(fd);
  }
  return Array.from({ length: count }, (_, i) => buf.readBigUInt64LE(i * 8));
}

const PM_PRESENT = 1n << 63n;
const PM_EXCLUSIVE = 1n << 56n;
const PFN_MASK = (1n << 55n) - 1n;
const KPF_ZERO_PAGE = 1n << 24n;

/** pagemap entries of `pages` pages from addr. */
function pagemap(pid: number, addr: number, pages: number): bigint[] {
  return readU64s(`/proc/${pid}/pagemap`, addr / PAGE_SIZE, pages);
}
const pfns = (entries: bigint[]): bigint[] => entries.map((e) => e & PFN_MASK);
const kpagecount = (pfn: bigint): bigint => readU64s('/proc/kpagecount', Number(pfn), 1)[0] ?? -1n;
const kpageflags = (pfn: bigint): bigint => readU64s('/proc/kpageflags', Number(pfn), 1)[0] ?? 0n;

/** Whether an ELF64 executable has a PT_INTERP program header (i.e. is dynamically linked). */
function hasInterpreter(path: string): boolean {
  const elf = readFileSync(path);
  const [phoff, phentsize, phnum] = [
    elf.readBigUInt64LE(0x20),
    elf.readUInt16LE(0x36),
    elf.readUInt16LE(0x38),
  ];
  return Array.from({ length: phnum }, (_, i) =>
    elf.readUInt32LE(Number(phoff) + i * phentsize),
  ).includes(3);
}

const started: number[] = [];
async function start(opts?: Parameters<typeof Workload.start>[0]): Promise<Workload> {
  const w = await Workload.start(opts);
  started.push(w.pid);
  return w;
}

describe('workload harness (live kernel)', () => {
  let workloads: Workload[] = [];

  beforeAll(async () => {
    await buildWorkload();
  });

  afterEach(async () => {
    const pids = workloads.flatMap((w) => [w.pid, ...w.descendantPids()]);
    workloads = [];
    await stopAllWorkloads();
    expect(pids.filter(isAlive)).toEqual([]);
  });

  afterAll(async () => {
    await stopAllWorkloads();
    expect(started.filter(isAlive)).toEqual([]);
  });

  it('caches world-executable static and dynamic builds', async () => {
    const bin = await buildWorkload();
    expect(await buildWorkload({ static: true })).toBe(bin);
    const dyn = await buildWorkload({ static: false });
    expect(dyn).not.toBe(bin);
    for (const path of [bin, dyn]) expect(statSync(path).mode & 0o777).toBe(0o755);
    expect(hasInterpreter(bin)).toBe(false);
    expect(hasInterpreter(dyn)).toBe(true);
  });

  it('answers in order and reports errors without losing sync', async () => {
    const w = await start();
    workloads.push(w);
    expect(await w.send('pid')).toEqual([String(w.pid)]);
    await expect(w.send('bogus 1')).rejects.toThrow(/err bad command/);
    await expect(w.touch(0x1000, 0, 1)).rejects.toThrow(/signal 11/);
    const [a, b, c] = await Promise.all([w.anon(1), w.send('pid'), w.anon(2)]);
    expect(b).toEqual([String(w.pid)]);
    expect(vmaAt(w.pid, a).end - a).toBe(PAGE_SIZE);
    expect(vmaAt(w.pid, c).end - c).toBe(2 * PAGE_SIZE);
  });

  it('fork + child write: exactly 16 copy-on-write pages become private to child 0', async () => {
    const w = await start();
    workloads.push(w);
    const a = await w.anon(64);
    const [p0, p1] = await w.fork(2);
    if (p0 === undefined || p1 === undefined) throw new Error('fork returned too few pids');
    expect(w.child(0).pid).toBe(p0);
    expect(await w.child(0).send('pid')).toEqual([String(p0)]);
    expect(await w.child(1).send('pid')).toEqual([String(p1)]);
    for (const pid of [w.pid, p0, p1]) {
      expect(vmaAt(pid, a).kb).toMatchObject({ Rss: 256, Shared_Dirty: 256, Private_Dirty: 0 });
    }

    // Run the write path once in both children (0 pages) so its stack use is already paid for.
    await w.child(0).write(a, 0, 0);
    await w.child(1).write(a, 0, 0);
    const before = [rollup(p0), rollup(p1)] as const;
    await w.child(0).write(a, 0, 16);
    const after = [rollup(p0), rollup(p1)] as const;
    const delta = (i: 0 | 1, key: string): number => after[i][key]! - before[i][key]!;
    expect([delta(0, 'Private_Dirty'), delta(0, 'Shared_Dirty'), delta(0, 'Rss')]).toEqual([
      64, -64, 0,
    ]);
    expect([delta(1, 'Private_Dirty'), delta(1, 'Shared_Dirty'), delta(1, 'Rss')]).toEqual([
      0, 0, 0,
    ]);
    // Both children ran the same commands apart from the 16 page writes.
    expect(after[0]['Private_Dirty']! - after[1]['Private_Dirty']!).toBe(16 * 4);

    const [r0, r1, rp] = [vmaAt(p0, a).kb, vmaAt(p1, a).kb, vmaAt(w.pid, a).kb];
    expect(r0).toMatchObject({ Rss: 256, Private_Dirty: 64, Shared_Dirty: 192, Anonymous: 256 });
    expect(r1).toMatchObject({ Rss: 256, Private_Dirty: 0, Shared_Dirty: 256 });
    expect(rp).toMatchObject({ Rss: 256, Private_Dirty: 0, Shared_Dirty: 256 });
    // Pss sums (PAGE_SIZE << 12) / mapcount per page, so 1/3 shares lose a little: 127 not 128.
    expect(r0['Pss']).toBeGreaterThanOrEqual(128 - 1);
    expect(r0['Pss']).toBeLessThanOrEqual(128);
    expect(r1['Pss']).toBeGreaterThanOrEqual(96 - 1);
    expect(r1['Pss']).toBeLessThanOrEqual(96);

    // pagemap/kpagecount: 80 distinct frames; 16 private to child 0, 16 shared by parent and
    // child 1, 48 shared by all three.
    const parent = pfns(pagemap(w.pid, a, 64));
    const c0 = pagemap(p0, a, 64);
    expect(pfns(pagemap(p1, a, 64))).toEqual(parent);
    expect(new Set([...parent, ...pfns(c0)]).size).toBe(80);
    for (let i = 0; i < 64; i++) {
      const pfn = parent[i] ?? 0n;
      const e0 = c0[i] ?? 0n;
      expect(e0 & PM_PRESENT).toBe(PM_PRESENT);
      if (i < 16) {
        expect(e0 & PFN_MASK).not.toBe(pfn);
        expect(e0 & PM_EXCLUSIVE).toBe(PM_EXCLUSIVE);
        expect(kpagecount(e0 & PFN_MASK)).toBe(1n);
        expect(kpagecount(pfn)).toBe(2n);
      } else {
        expect(e0 & PFN_MASK).toBe(pfn);
        expect(kpagecount(pfn)).toBe(3n);
      }
    }
  });

  it('zero: every page maps the shared zero page and adds nothing to Rss', async () => {
    const w = await start();
    workloads.push(w);
    // The workload prefaults its stack, data and text, so even its first commands change the
    // rollup only by what they map.
    const keys = ['Rss', 'Pss', 'Private_Dirty', 'Shared_Dirty', 'Private_Clean', 'Anonymous'];
    const pick = (kb: Record<string, number>): number[] => keys.map((k) => kb[k] ?? -1);
    const before = pick(rollup(w.pid));
    const z = await w.zero(32);
    expect(pick(rollup(w.pid))).toEqual(before);
    await w.anon(4);
    const plus16 = pick(rollup(w.pid));
    expect(plus16.map((kb, i) => kb - (before[i] ?? 0))).toEqual([16, 16, 16, 0, 0, 16]);
    const vma = vmaAt(w.pid, z);
    expect(vma.end - vma.start).toBe(32 * PAGE_SIZE);
    expect(vma.perms).toBe('rw-p');
    expect(vma.kb).toMatchObject({ Size: 128, Rss: 0, Pss: 0, Anonymous: 0 });
    const entries = pagemap(w.pid, z, 32);
    expect(entries.every((e) => (e & PM_PRESENT) !== 0n)).toBe(true);
    const zero = new Set(pfns(entries));
    expect(zero.size).toBe(1);
    expect(kpageflags([...zero][0] ?? 0n) & KPF_ZERO_PAGE).toBe(KPF_ZERO_PAGE);

    await w.write(z, 0, 4); // copy-on-write off the zero page
    expect(vmaAt(w.pid, z).kb).toMatchObject({ Rss: 16, Private_Dirty: 16, Anonymous: 16 });
  });

  it('file and filepriv map page-cache pages; writes to filepriv copy them', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'memtop-workload-test-'));
    try {
      const path = join(dir, 'data');
      const fh = await open(path, 'w');
      await fh.write(Buffer.alloc(8 * PAGE_SIZE, 0x5a));
      await fh.sync(); // clean page cache, so the pages show as *_Clean
      await fh.close();
      const w = await start();
      workloads.push(w);
      const f = await w.file(path, 8);
      expect(vmaAt(w.pid, f).kb).toMatchObject({ Rss: 32, Private_Clean: 32, Anonymous: 0 });
      await expect(w.write(f, 0, 1)).rejects.toThrow(/signal 11/);
      const p = await w.filePrivate(path, 8);
      expect(vmaAt(w.pid, p).kb).toMatchObject({ Rss: 32, Shared_Clean: 32, Anonymous: 0 });
      await w.write(p, 2, 2);
      expect(vmaAt(w.pid, p).kb).toMatchObject({
        Rss: 32,
        Anonymous: 8,
        Private_Dirty: 8,
        Shared_Clean: 24,
      });
      await expect(w.file(path, 9)).rejects.toThrow(/too short/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('shared anon: a child sees the same frames once it touches them', async () => {
    const w = await start();
    workloads.push(w);
    const s = await w.shared(8);
    const [c] = await w.fork(1);
    if (c === undefined) throw new Error('fork returned no pid');
    // fork() copies no PTEs for VMAs without an anon_vma (shared, file, never-written private).
    expect(vmaAt(c, s).kb).toMatchObject({ Rss: 0 });
    await w.child(0).touch(s, 0, 8);
    for (const pid of [w.pid, c]) {
      expect(vmaAt(pid, s).kb).toMatchObject({ Rss: 32, Pss: 16, Shared_Dirty: 32, Anonymous: 0 });
    }
    await w.child(0).write(s, 0, 8);
    const frames = pfns(pagemap(w.pid, s, 8));
    expect(pfns(pagemap(c, s, 8))).toEqual(frames);
    expect(frames.map(kpagecount)).toEqual(Array(8).fill(2n));
  });

  it('many 20000 makes 20000 separate one-page VMAs', async () => {
    const w = await start();
    workloads.push(w);
    const layout = await w.many(20000);
    expect(layout).toMatchObject({ stride: 2 * PAGE_SIZE, written: 20000, readOnly: 0 });
    const lines = readFileSync(`/proc/${w.pid}/maps`, 'utf8').trim().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(20000);
    const rw = new Map<number, number>();
    for (const line of lines) {
      const m = /^([0-9a-f]+)-([0-9a-f]+) rw-p 00000000 00:00 0\s*$/.exec(line);
      if (m) rw.set(parseInt(m[1] ?? '', 16), parseInt(m[2] ?? '', 16));
    }
    expect(layout.addresses.filter((addr) => rw.get(addr) !== addr + PAGE_SIZE)).toEqual([]);
    const last = layout.addresses.at(-1) ?? 0;
    expect(vmaAt(w.pid, last).kb).toMatchObject({ Rss: 4, Private_Dirty: 4 });
  });

  it('reserve 64 8 maps 8 MiB RW followed by a PROT_NONE reservation up to 64 GiB', async () => {
    const w = await start();
    workloads.push(w);
    const r = await w.reserve(64, 8);
    const vmas = readSmaps(w.pid);
    const i = vmas.findIndex((v) => v.start === r);
    const [rw, none] = [vmas[i], vmas[i + 1]];
    expect(rw).toMatchObject({ end: r + 8 * 2 ** 20, perms: 'rw-p' });
    expect(rw?.kb).toMatchObject({ Rss: 8192, Private_Dirty: 8192, Anonymous: 8192 });
    expect(none).toMatchObject({ start: r + 8 * 2 ** 20, end: r + 64 * 2 ** 30, perms: '---p' });
    expect(none?.kb).toMatchObject({ Rss: 0 });
  });

  it('runs as uid 65534 through setpriv', async () => {
    const w = await start({ uid: 65534, gid: 65534 });
    workloads.push(w);
    expect(await w.send('pid')).toEqual([String(w.pid)]);
    const status = readFileSync(`/proc/${w.pid}/status`, 'utf8');
    expect(status).toMatch(/^Uid:\s+65534\s+65534\s+65534\s+65534$/m);
    expect(status).toMatch(/^Gid:\s+65534\s+65534\s+65534\s+65534$/m);
    expect(status).toMatch(/^Groups:\s*$/m);
    expect(status).toMatch(new RegExp(`^PPid:\\s+${process.pid}$`, 'm'));
    const a = await w.anon(4);
    expect(vmaAt(w.pid, a).kb).toMatchObject({ Rss: 16, Private_Dirty: 16 });
  });

  it('kill and stop reap children, grandchildren included', async () => {
    const w = await start({ static: false });
    workloads.push(w);
    const [c0, c1] = await w.fork(2);
    const [g0] = await w.child(0).fork(1);
    expect(await w.child(0).child(0).send('pid')).toEqual([String(g0)]);
    await w.kill(1);
    expect(isAlive(c1 ?? 0)).toBe(false);
    await expect(w.child(1).send('pid')).rejects.toThrow(/no such child/);
    expect([c0, g0].map((pid) => isAlive(pid ?? 0))).toEqual([true, true]);
    expect(await w.fork(1)).toHaveLength(1);
    expect(w.childPids).toHaveLength(3);
    await w.stop();
    expect([w.pid, c0, g0, ...w.childPids].filter((pid) => isAlive(pid ?? 0))).toEqual([]);
  });
});
