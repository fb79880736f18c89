// Corrupt and hostile proc trees through the built CLI (dist/cli.js): a process whose files are
// odd is left out (or shown in part) with a notice, and every command ends in time without an
// internal error. Each tree holds one good process beside the odd ones.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { KPF_ANON, KPF_SWAPBACKED } from '../../src/model/page-bits.js';
import { runCliAsync, type CliResult, type SnapshotJson } from '../helpers/cli.js';
import { FixtureProc, mapsLine, type FixtureProcess } from '../helpers/fixture-proc.js';

const PAGE = 4096;
/** Far above what any of these commands takes (well under a second); a hang meets it. */
const TIMEOUT_MS = 30_000;
const GOOD = 200;

let fixture: FixtureProc | undefined;
let outside: string | undefined;

afterEach(() => {
  fixture?.remove();
  fixture = undefined;
  if (outside) rmSync(outside, { recursive: true, force: true });
  outside = undefined;
});

const MAPPING = { start: 0x400000, end: 0x402000, path: '/bin/good', inode: 7, dev: '08:01' };

/** A tree with one good process (pid 200: one resident page of its own). */
function tree(): FixtureProc {
  fixture = new FixtureProc(PAGE);
  fixture.kpages([{ pfn: 9, count: 1, flags: KPF_ANON | KPF_SWAPBACKED }]);
  fixture.process({
    pid: GOOD,
    comm: 'good',
    mappings: [{ ...MAPPING, pages: [{ index: 0, pfn: 9, exclusive: true }] }],
    files: { smaps_rollup: `${mapsLine(MAPPING)}\nRss:  4 kB\nPrivate_Dirty:  4 kB\n` },
  });
  return fixture;
}

/** A process like the good one, to be made odd. */
function oddProcess(f: FixtureProc, pid: number, p: Partial<FixtureProcess> = {}): void {
  f.process({
    pid,
    comm: `odd${pid}`,
    mappings: [{ ...MAPPING, pages: [{ index: 1, pfn: 9 }] }],
    ...p,
  });
}

/** The commands every tree is run with: each output, batch, and the per-page commands. */
const COMMANDS = [
  ['snapshot'],
  ['snapshot', '--json'],
  ['snapshot', '--csv'],
  ['-b', '-n', '1'],
  ['pagemaps', String(GOOD)],
  ['libs'],
  ['shares', String(GOOD)],
  ['--unprivileged', 'snapshot', '--json'],
];

/** memtop ended by itself, and failed (if at all) with one line, never an internal error. */
function expectClean(label: string, r: CliResult & { timedOut: boolean }, ok = true): void {
  expect(r.timedOut, `${label} ended in time`).toBe(false);
  expect(r.stderr, label).not.toMatch(/internal error|\n\s+at /);
  if (ok) {
    expect(r.stderr, label).toBe('');
    expect(r.status, label).toBe(0);
  } else {
    expect(r.status, label).not.toBe(null);
    expect(r.stderr, label).toMatch(/^memtop: [^\n]+\n$|^$/);
  }
}

/**
 * Runs every command (two at a time) and the `extra` ones on the tree; returns the JSON
 * snapshot and every result by its arguments.
 */
async function runEvery(
  root: string,
  options: { extra?: string[][]; mayFail?: string[]; outputsOnly?: boolean } = {},
): Promise<{ snap: SnapshotJson; results: Map<string, CliResult> }> {
  // Where only what a row shows is odd, the outputs are what matters.
  const base = options.outputsOnly ? COMMANDS.slice(0, 4) : COMMANDS;
  const commands = [...base, ...(options.extra ?? [])];
  const results = new Map<string, CliResult & { timedOut: boolean }>();
  const queue = [...commands];
  const worker = async () => {
    for (let args = queue.shift(); args; args = queue.shift()) {
      results.set(
        args.join(' '),
        await runCliAsync(['--proc-root', root, ...args], { timeoutMs: TIMEOUT_MS }),
      );
    }
  };
  await Promise.all([worker(), worker()]);
  for (const args of commands) {
    const label = args.join(' ');
    expectClean(label, results.get(label)!, !(options.mayFail ?? []).includes(label));
  }
  const snap = JSON.parse(results.get('snapshot --json')!.stdout) as SnapshotJson;
  // The good process is always there, whole.
  const good = snap.processes.find((p) => p.pid === GOOD);
  expect(good?.rss).toBe(PAGE);
  return { snap, results };
}

/** `pagemaps 100` of a process the sample leaves out: exit 1, with the notice as its one line. */
const leftOut100 = { extra: [['pagemaps', '100']], mayFail: ['pagemaps 100'] };

function expectLeftOut(results: Map<string, CliResult>, why: RegExp): void {
  const r = results.get('pagemaps 100')!;
  expect(r.status).toBe(1);
  expect(r.stderr).toMatch(/^memtop: process 100: left out: /);
  expect(r.stderr).toMatch(why);
}

const pidsOf = (snap: SnapshotJson) => snap.processes.map((p) => p.pid).sort((a, b) => a - b);

describe('a process whose file is not a regular file is left out, with a notice', () => {
  it('a directory where a file should be', async () => {
    const f = tree();
    ['maps', 'cmdline', 'stat', 'pagemap', 'status'].forEach((file, i) => {
      oddProcess(f, 100 + i);
      f.odd(`${100 + i}/${file}`, { dir: true });
    });
    const { snap, results } = await runEvery(f.root, leftOut100);
    expect(pidsOf(snap)).toEqual([GOOD]);
    expect(snap.notices.join('\n')).toMatch(
      /process 100: left out: .*\/100\/maps is not a regular/,
    );
    expectLeftOut(results, /100\/maps is not a regular/);
  });

  it('a symbolic link loop', async () => {
    const f = tree();
    oddProcess(f, 100);
    f.odd('100/maps', { link: 'maps' });
    oddProcess(f, 101);
    f.odd('101/status', { link: 'status2' });
    f.odd('101/status2', { link: 'status' });
    const { snap, results } = await runEvery(f.root, leftOut100);
    expect(pidsOf(snap)).toEqual([GOOD]);
    expect(snap.notices.join('\n')).toMatch(/100\/maps is a symbolic link/);
    expectLeftOut(results, /100\/maps is a symbolic link/);
  });

  it('a link to /dev/zero (maps, cmdline, pagemap, smaps_rollup)', async () => {
    const f = tree();
    ['maps', 'cmdline', 'pagemap', 'smaps_rollup'].forEach((file, i) => {
      oddProcess(f, 100 + i);
      f.odd(`${100 + i}/${file}`, { link: '/dev/zero' });
    });
    const { snap, results } = await runEvery(f.root, leftOut100);
    expectLeftOut(results, /100\/maps/);
    // smaps_rollup is read only without PFNs, maps without them only for mappings.
    expect(pidsOf(snap)).toEqual([103, GOOD]);
    const unprivileged = JSON.parse(
      results.get('--unprivileged snapshot --json')!.stdout,
    ) as SnapshotJson;
    expect(pidsOf(unprivileged)).toEqual([100, GOOD]);
  });

  it('a FIFO, which must not block (maps, cmdline, stat, pagemap, and meminfo)', async () => {
    const f = tree();
    ['maps', 'cmdline', 'stat', 'pagemap'].forEach((file, i) => {
      oddProcess(f, 100 + i);
      f.odd(`${100 + i}/${file}`, { fifo: true });
    });
    f.odd('meminfo', { fifo: true });
    const { snap, results } = await runEvery(f.root, leftOut100);
    expect(pidsOf(snap)).toEqual([GOOD]);
    expect(snap.notices.join('\n')).toMatch(/is not a regular file/);
    expectLeftOut(results, /100\/maps is not a regular file/);
  });
});

describe('files far larger than the kernel writes', () => {
  it('cuts a 600 MB cmdline, refuses a 100 MB status, and cuts a 5 GB maps file', async () => {
    const f = tree();
    oddProcess(f, 100);
    const args = '--argument\0'.repeat(100_000); // 1.1 MB of arguments, then zeros
    f.odd('100/cmdline', { sparseBytes: 600 << 20, head: `prog\0${args}` });
    oddProcess(f, 101);
    f.odd('101/status', { sparseBytes: 100 << 20, head: 'Name:\tbig\n' });
    oddProcess(f, 102);
    f.odd('102/maps', { sparseBytes: 5 * 2 ** 30 });
    const { snap } = await runEvery(f.root);
    expect(pidsOf(snap)).toEqual([100, 102, GOOD]);
    const cmdline = snap.processes.find((p) => p.pid === 100)!.cmdline;
    expect(cmdline.startsWith('prog --argument --argument')).toBe(true);
    expect(cmdline.endsWith('--argument …')).toBe(true);
    expect(cmdline.length).toBeLessThanOrEqual(256 * 1024 + 2);
    const notices = snap.notices.join('\n');
    expect(notices).toMatch(/process 101: left out: .*101\/status is larger than 1024 KiB/);
    expect(notices).toMatch(/process 102: maps cut after 0 mappings/);
  });

  it('reads a maps file of more than 1,000,000 mappings up to that many, with a notice', async () => {
    const f = tree();
    const lines: string[] = [];
    for (let i = 0; i < 1_000_005; i++) {
      const start = 0x10000000 + i * PAGE;
      lines.push(mapsLine({ start, end: start + PAGE }));
    }
    oddProcess(f, 100, { files: { maps: lines.join('\n') + '\n' } });
    const r = await runCliAsync(['--proc-root', f.root, 'snapshot', '--json', '-p', '100'], {
      timeoutMs: TIMEOUT_MS * 2,
    });
    expectClean('snapshot --json', r);
    const snap = JSON.parse(r.stdout) as SnapshotJson;
    expect(snap.processes.map((p) => p.pid)).toEqual([100]);
    expect(snap.notices.join('\n')).toMatch(/process 100: maps cut after 1,000,000 mappings/);
  });
});

describe('system-wide files of the tree', () => {
  it('uses 4096 with a notice where auxv gives no page size (3, 2^40)', async () => {
    for (const value of [3n, 2n ** 40n]) {
      const f = tree();
      f.auxvPageSize(value);
      const { snap } = await runEvery(f.root, { outputsOnly: value === 2n ** 40n });
      expect(snap.pageSize).toBe(PAGE);
      expect(snap.notices.join('\n')).toContain(`gives a page size of ${value}, which is no page`);
      fixture?.remove();
    }
  });

  it('reads kpagecount that is a FIFO, vmstat and osrelease that are odd, a gzip bomb', async () => {
    const f = tree();
    f.odd('kpagecount', { fifo: true });
    f.odd('vmstat', { link: '/dev/zero' });
    f.odd('sys/kernel/osrelease', { dir: true });
    f.write('config.gz', gzipSync(Buffer.alloc(64 << 20)));
    // Without map counts, pagemaps reads the process's smaps, which this tree does not have: to
    // memtop a missing file of a process means it went away (one line, exit 1).
    const { snap, results } = await runEvery(f.root, {
      mayFail: [`shares ${GOOD}`, `pagemaps ${GOOD}`],
    });
    expect(snap.privileged).toBe(false);
    expect(snap.notices.join('\n')).toMatch(/kpagecount is not a regular file: map counts/);
    expect(snap.kernel).toBe('unknown');
    expect(results.get(`shares ${GOOD}`)!.stderr).toMatch(/needs page frame numbers/);
  });
});

describe('maps lines the kernel never writes', () => {
  it('refuses addresses of 17 or 40 hex digits and ranges past user space, line by line', async () => {
    const f = tree();
    const good = mapsLine({ ...MAPPING, path: '/bin/odd' });
    const maps = [
      good,
      '10000000000000000-10000000000001000 rw-p 00000000 00:00 0',
      `${'f'.repeat(40)}-${'f'.repeat(40)} rw-p 00000000 00:00 0`,
      `00400000-${'1'.repeat(40)} rw-p 00000000 00:00 0`,
      '8000000000000000-fffffffffffff000 rw-p 00000000 00:00 0',
      '00ff000000000000-0100000000001000 rw-p 00000000 00:00 0',
      '00500000-00400000 rw-p 00000000 00:00 0',
      '00400001-00402000 rw-p 00000000 00:00 0',
      'ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]',
    ];
    oddProcess(f, 100, { files: { maps: maps.join('\n') + '\n' } });
    const { results } = await runEvery(f.root, {
      extra: [
        ['pagemaps', '100'],
        ['snapshot', '--json', '--mappings', '-p', '100'],
      ],
    });
    const snap = JSON.parse(
      results.get('snapshot --json --mappings -p 100')!.stdout,
    ) as SnapshotJson;
    expect(snap.processes[0]!.mappings!.map((m) => [m.start, m.end])).toEqual([
      ['0x400000', '0x402000'],
      ['0xffffffffff600000', '0xffffffffff601000'],
    ]);
    // The listing: each mapping's line, then one line of its two pages (and none of [vsyscall]'s).
    const listing = results.get('pagemaps 100')!.stdout.trimEnd().split('\n');
    expect(listing.length).toBeLessThanOrEqual(4);
    expect(listing[0]).toMatch(/^00400000-00402000 rw-p/);
  });
});

describe('what a process is', () => {
  it('lists a directory named 00100 nowhere: only canonical decimal names are pids', async () => {
    const f = tree();
    oddProcess(f, 100);
    oddProcess(f, 1);
    f.odd('00100', { link: '100' });
    f.odd('0100', { dir: true });
    f.odd('+100', { dir: true });
    f.odd('01', { dir: true });
    const { snap } = await runEvery(f.root);
    expect(snap.processes.map((p) => p.pid).sort((a, b) => a - b)).toEqual([1, 100, GOOD]);
  });

  it('shows a uid that status does not give as unknown (null), not -1', async () => {
    const f = tree();
    oddProcess(f, 100, {
      files: { status: 'Name:\todd\nTgid:\t100\nVmRSS:\t4 kB\nVmSwap:\t0 kB\n' },
    });
    const { snap, results } = await runEvery(f.root, { outputsOnly: true });
    const p = snap.processes.find((x) => x.pid === 100)!;
    expect(p.uid).toBe(null);
    expect(p.user).toBe('?');
    expect(results.get('snapshot --csv')!.stdout).toMatch(/^100,1,\?,odd100,/m);
  });

  it('shows a negative ppid as unknown (null)', async () => {
    const f = tree();
    oddProcess(f, 100, { ppid: -5 });
    const { snap, results } = await runEvery(f.root, { outputsOnly: true });
    expect(snap.processes.find((x) => x.pid === 100)!.ppid).toBe(null);
    expect(results.get('snapshot --csv')!.stdout).toMatch(/^100,,root,odd100,/m);
  });

  it('takes a thread id given with -p as its process, once, and never lists a thread', async () => {
    const f = tree();
    oddProcess(f, 100);
    // 101 is a thread of 100: its directory reads as 100's, with its own Tgid line.
    oddProcess(f, 101, { comm: 'odd100', tgid: 100 });
    const { snap, results } = await runEvery(f.root, {
      extra: [
        ['snapshot', '--json', '-p', '100,101'],
        ['snapshot', '--json', '-p', '101'],
        ['pagemaps', '101'],
        ['shares', '101'],
        ['-b', '-n', '1', '--json', '-p', '101,100'],
        ['libs', '--json', '-p', '101,100'],
      ],
    });
    expect(pidsOf(snap)).toEqual([100, GOOD]);
    for (const args of ['snapshot --json -p 100,101', 'snapshot --json -p 101']) {
      const given = JSON.parse(results.get(args)!.stdout) as SnapshotJson;
      expect(
        given.processes.map((p) => p.pid),
        args,
      ).toEqual([100]);
      expect(given.totals['rss'], args).toBe(PAGE);
    }
    const batch = JSON.parse(results.get('-b -n 1 --json -p 101,100')!.stdout) as SnapshotJson;
    expect(batch.processes.map((p) => p.pid)).toEqual([100]);
    const libs = JSON.parse(results.get('libs --json -p 101,100')!.stdout) as {
      libraries: { path: string; processes: number }[];
    };
    expect(libs.libraries.find((l) => l.path === '/bin/good')?.processes).toBe(1);
    expect(results.get('pagemaps 101')!.stdout).toMatch(/^00400000-00402000 /);
    expect(results.get('shares 101')!.stdout).toMatch(/^odd100 100 shares its pages with/);
  });
});

describe('--proc-root is confined to its tree', () => {
  it('never follows a link out of the tree, to a file or a directory', async () => {
    const f = tree();
    outside = mkdtempSync(join(tmpdir(), 'memtop-outside-'));
    const secret = (name: string, content: string | Buffer) => {
      writeFileSync(join(outside!, name), content);
      chmodSync(join(outside!, name), 0o600);
    };
    secret('cmdline', 'TOPSECRET\0');
    secret('meminfo', 'MemTotal:       777777 kB\n');
    secret('auxv', Buffer.from(new BigUint64Array([6n, 16384n, 0n, 0n]).buffer));
    oddProcess(f, 100);
    f.odd('100/cmdline', { link: join(outside, 'cmdline') });
    // A whole process directory outside the tree.
    const elsewhere = new FixtureProc(PAGE);
    try {
      elsewhere.process({ pid: 101, comm: 'SECRETCOMM' });
      f.odd('101', { link: join(elsewhere.root, '101') });
      f.odd('meminfo', { link: join(outside, 'meminfo') });
      f.odd('self', { link: outside });
      const { snap, results } = await runEvery(f.root, {
        extra: [
          ['snapshot', '--json', '-p', '101'],
          ['pagemaps', '101'],
        ],
        mayFail: ['snapshot --json -p 101', 'pagemaps 101'],
      });
      for (const [args, r] of results) {
        expect(r.stdout + r.stderr, args).not.toMatch(/TOPSECRET|SECRETCOMM|777777/);
      }
      expect(pidsOf(snap)).toEqual([GOOD]);
      expect(snap.pageSize).toBe(PAGE);
      expect(snap.notices.join('\n')).toMatch(/100\/cmdline is a symbolic link/);
      expect(results.get('snapshot --json -p 101')!.stderr).toBe('memtop: no such process: 101\n');
    } finally {
      elsewhere.remove();
    }
  });
});
