// Edge cases from fixture /proc trees: what the live kernel cannot produce on demand.
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { pssBytes } from '../../src/model/counters.js';
import {
  KPF_ANON,
  KPF_DIRTY,
  KPF_LRU,
  KPF_SWAPBACKED,
  KPF_ZERO_PAGE,
} from '../../src/model/page-bits.js';
import { Sampler } from '../../src/sampler/sampler.js';
import { FixtureProc, mapsLine } from '../helpers/fixture-proc.js';
import { runCli, type SnapshotJson } from '../helpers/cli.js';

const PAGE = 4096;
let fixture: FixtureProc | undefined;

function newFixture(): FixtureProc {
  fixture = new FixtureProc(PAGE);
  return fixture;
}

afterEach(() => {
  fixture?.remove();
  fixture = undefined;
});

function sample(root: string, request: Parameters<Sampler['sample']>[0] = {}) {
  const sampler = Sampler.open({ procRoot: root });
  try {
    return sampler.sample(request);
  } finally {
    sampler.close();
  }
}

describe('hostile process names', () => {
  it('reads comm with spaces and parentheses, and the fields after it', () => {
    const f = newFixture();
    const names = ['a) S 1 (b', 'with space', '(sd-pam)', ')', 'x)) 9 9'];
    names.forEach((comm, i) => f.process({ pid: 100 + i, comm, ppid: 7 + i, startTime: 5000 + i }));
    const snap = sample(f.root);
    expect(snap.processes.map((p) => [p.pid, p.comm, p.ppid, p.startTime])).toEqual(
      names.map((comm, i) => [100 + i, comm, 7 + i, 5000 + i]),
    );
  });

  it('joins cmdline arguments and keeps their spaces', () => {
    const f = newFixture();
    f.process({ pid: 10, comm: 'x', cmdline: ['/bin/my prog', '--flag', 'a b'] });
    expect(sample(f.root).processes[0]?.cmdline).toBe('/bin/my prog --flag a b');
  });
});

describe('maps path forms', () => {
  it('keeps every path exactly as the kernel printed it', () => {
    const f = newFixture();
    const paths = [
      '/usr/lib/x86_64-linux-gnu/libc.so.6',
      '/opt/my lib/lib x.so',
      '/tmp/gone (deleted)',
      '[heap]',
      '[stack]',
      '[vdso]',
      '[anon:my buffer]',
      '',
      '  leading spaces',
      '/memfd:sealed (deleted)',
    ];
    const mappings = paths.map((path, i) => ({
      start: 0x400000 + i * 0x10000,
      end: 0x401000 + i * 0x10000,
      perms: i % 2 ? 'r-xp' : 'rw-s',
      offset: i * 0x1000,
      dev: i ? 'fe:00' : '08:01',
      inode: i ? 1000 + i : 0,
      path,
    }));
    f.process({ pid: 42, comm: 'maps', mappings });
    const p = sample(f.root, { mappings: true }).processes[0];
    expect(
      p?.mappings?.map((m) => [m.start, m.end, m.perms, m.offset, m.dev, m.inode, m.path]),
    ).toEqual(mappings.map((m) => [m.start, m.end, m.perms, m.offset, m.dev, m.inode, m.path]));
  });
});

describe('page accounting from kpagecount and kpageflags', () => {
  it('counts RSS, PSS, USS, shared, clean/dirty, swap and anon/file/shmem as smaps does', () => {
    const f = newFixture();
    f.kpages([
      { pfn: 10, count: 1, flags: KPF_ANON | KPF_SWAPBACKED | KPF_LRU }, // private anon: dirty
      { pfn: 11, count: 2, flags: KPF_ANON | KPF_SWAPBACKED }, // anon shared after fork
      { pfn: 12, count: 3, flags: KPF_LRU }, // clean file page, 3 mappings
      { pfn: 13, count: 3, flags: KPF_LRU | KPF_DIRTY }, // dirty file page
      { pfn: 14, count: 2, flags: KPF_SWAPBACKED | KPF_DIRTY }, // shmem
      { pfn: 15, count: 0, flags: KPF_ZERO_PAGE }, // the zero page
      { pfn: 16, count: 1, flags: KPF_ANON }, // MADV_FREE'd: lazily freeable, clean
      { pfn: 17, count: 1, flags: KPF_LRU }, // private clean file page
    ]);
    f.process({
      pid: 7,
      comm: 'acct',
      mappings: [
        {
          start: 0x400000,
          end: 0x40a000,
          pages: [
            { index: 0, pfn: 10, exclusive: true },
            { index: 1, pfn: 11 },
            { index: 2, pfn: 12, file: true },
            { index: 3, pfn: 13, file: true },
            { index: 4, pfn: 14, file: true },
            { index: 5, pfn: 15 },
            { index: 6, present: false, swapped: true },
            { index: 7, pfn: 16, exclusive: true },
            { index: 8, pfn: 17, file: true, exclusive: true },
          ],
        },
      ],
    });
    const p = sample(f.root).processes[0]!;
    const t = p.totals;
    expect(p.access).toBe('pages');
    expect(t.rssBytes).toBe(7 * PAGE);
    expect(t.ussBytes).toBe(3 * PAGE);
    expect(t.sharedBytes).toBe(4 * PAGE);
    expect(t.privateDirtyBytes).toBe(1 * PAGE);
    expect(t.privateCleanBytes).toBe(2 * PAGE);
    expect(t.sharedDirtyBytes).toBe(3 * PAGE); // anon shared, dirty file, shmem
    expect(t.sharedCleanBytes).toBe(1 * PAGE);
    expect(t.swapBytes).toBe(PAGE);
    expect(t.anonBytes).toBe(3 * PAGE);
    expect(t.shmemBytes).toBe(PAGE);
    expect(t.fileBytes).toBe(3 * PAGE);
    const fixed = PAGE * 4096;
    const expectedFixed = 3 * fixed + Math.floor(fixed / 2) * 2 + Math.floor(fixed / 3) * 2;
    expect(t.pssFixed).toBe(expectedFixed);
    expect(pssBytes(t)).toBe(Math.floor(expectedFixed / 4096));
  });

  it('treats a PFN beyond a truncated kpagecount as not memory', () => {
    const f = newFixture();
    f.kpages([{ pfn: 3, count: 1, flags: KPF_ANON | KPF_SWAPBACKED }]);
    f.process({
      pid: 8,
      mappings: [
        {
          start: 0x400000,
          end: 0x402000,
          pages: [
            { index: 0, pfn: 3 },
            { index: 1, pfn: 900 },
          ],
        },
      ],
    });
    expect(sample(f.root).processes[0]?.totals.rssBytes).toBe(PAGE);
  });
});

describe('processes that cannot be read whole', () => {
  it('drops a process whose pagemap vanished after maps was read, and keeps the others', () => {
    const f = newFixture();
    f.kpages([{ pfn: 1, count: 1, flags: KPF_ANON | KPF_SWAPBACKED }]);
    const mappings = [{ start: 0x400000, end: 0x401000, pages: [{ index: 0, pfn: 1 }] }];
    f.process({ pid: 20, comm: 'gone', mappings, missing: ['pagemap'] });
    f.process({ pid: 21, comm: 'stays', mappings });
    expect(sample(f.root).processes.map((p) => p.comm)).toEqual(['stays']);
  });

  it('drops a process whose stat is truncated, or that is gone before status', () => {
    const f = newFixture();
    f.process({ pid: 30, comm: 'cut', files: { stat: '30 (cu' } });
    f.process({ pid: 31, comm: 'nostatus', missing: ['status'] });
    f.process({ pid: 32, comm: 'ok' });
    expect(sample(f.root).processes.map((p) => p.pid)).toEqual([32]);
  });

  it('reads a truncated maps file up to its last whole line', () => {
    const f = newFixture();
    f.process({
      pid: 33,
      files: {
        maps:
          mapsLine({ start: 0x400000, end: 0x401000, perms: 'r-xp', path: '/bin/x' }) +
          '\n00401000-0040',
      },
    });
    const p = sample(f.root, { mappings: true }).processes[0];
    expect(p?.mappings?.map((m) => m.path)).toEqual(['/bin/x']);
  });

  it('counts only the pages a short pagemap returned', () => {
    const f = newFixture();
    f.kpages([{ pfn: 5, count: 1, flags: KPF_ANON | KPF_SWAPBACKED }]);
    const pagemap = Buffer.alloc(8);
    pagemap.writeUInt32LE(5, 0);
    pagemap.writeUInt32LE(0x80000000, 4);
    f.process({
      pid: 34,
      mappings: [{ start: 0, end: 0x10000 }],
      files: { pagemap },
    });
    const p = sample(f.root, { mappings: true }).processes[0];
    expect(p?.totals.rssBytes).toBe(PAGE);
  });

  it('skips zombies and kernel threads', () => {
    const f = newFixture();
    f.process({
      pid: 2,
      comm: 'kthreadd',
      files: { stat: '2 (kthreadd) S 0 0 0 0 -1 2129984 0 0 0 0 0 0 0 0 20 0 1 0 5 0 0\n' },
    });
    f.process({ pid: 50, comm: 'zomb', state: 'Z' });
    f.process({ pid: 51, comm: 'alive' });
    expect(sample(f.root).processes.map((p) => p.comm)).toEqual(['alive']);
  });
});

describe('empty and unusable proc roots', () => {
  it('samples an empty /proc as no processes', () => {
    const f = newFixture();
    const snap = sample(f.root);
    expect(snap.processes).toEqual([]);
    expect(snap.totals.rssBytes).toBe(0);
    const cli = runCli(['--proc-root', f.root, 'snapshot']);
    expect(cli.status).toBe(0);
    expect(cli.stdout).toContain('PID USER');
  });

  it('fails with one line and a non-zero exit on a missing or non-directory proc root', () => {
    for (const root of ['/nonexistent/proc', '/etc/hostname']) {
      const cli = runCli(['--proc-root', root, 'snapshot']);
      expect(cli.status).toBe(1);
      expect(cli.stderr).toBe(`memtop: cannot read ${root}: not a readable proc file system\n`);
      expect(cli.stdout).toBe('');
    }
  });
});

describe('kernels without per-page map counts', () => {
  it('says that large folios show average map counts when CONFIG_NO_PAGE_MAPCOUNT=y', () => {
    const f = newFixture();
    f.write('config.gz', gzipSync('CONFIG_TRANSPARENT_HUGEPAGE=y\nCONFIG_NO_PAGE_MAPCOUNT=y\n'));
    expect(sample(f.root).notices.join(' ')).toMatch(/CONFIG_NO_PAGE_MAPCOUNT.*average map count/);
    f.write('config.gz', gzipSync('CONFIG_PAGE_MAPCOUNT=y\n'));
    expect(sample(f.root).notices).toEqual([]);
  });
});

describe('EACCES as a plain user', () => {
  it('shows a process whose pagemap is refused as restricted, with RSS from statm', () => {
    const f = newFixture();
    f.process({
      pid: 60,
      comm: 'secret',
      uid: 0,
      statmResidentPages: 25,
      unreadable: ['pagemap', 'smaps_rollup', 'maps'],
    });
    f.process({
      pid: 61,
      comm: 'mine',
      uid: 65534,
      files: {
        smaps_rollup:
          '00400000-7ffff000 ---p 00000000 00:00 0                          [rollup]\n' +
          'Rss:                 100 kB\nPss:                  60 kB\nShared_Clean:          80 kB\n' +
          'Shared_Dirty:           0 kB\nPrivate_Clean:          4 kB\nPrivate_Dirty:         16 kB\n' +
          'Anonymous:             16 kB\nSwap:                   0 kB\n',
      },
    });
    const cli = runCli(['--proc-root', f.root, 'snapshot', '--json'], { uid: 65534 });
    expect(cli.stderr).toBe('');
    const snap = JSON.parse(cli.stdout) as SnapshotJson;
    expect(snap.privileged).toBe(false);
    expect(snap.notices.join(' ')).toMatch(/CAP_SYS_ADMIN/);
    const secret = snap.processes.find((p) => p.pid === 60)!;
    expect(secret).toMatchObject({
      restricted: true,
      rss: 25 * PAGE,
      pss: null,
      uss: null,
      shared: null,
    });
    const mine = snap.processes.find((p) => p.pid === 61)!;
    expect(mine).toMatchObject({
      restricted: false,
      rss: 100 * 1024,
      pss: 60 * 1024,
      uss: 20 * 1024,
      shared: 80 * 1024,
      privateDirty: 16 * 1024,
      anon: 16 * 1024,
      file: null,
    });
  });
});

describe('a process past exit_mm, not yet a zombie', () => {
  // do_exit() sets PF_EXITING, then exit_mm() drops the memory: from then on maps, pagemap and
  // statm read empty and status has no VmRSS, while stat still says R or D until exit_notify().
  const EXITING_FLAGS = 0x400000 | 0x4; // PF_RANDOMIZE | PF_EXITING
  const noMemoryStatus = 'Name:\tgoing\nState:\tR (running)\nTgid:\t70\nUid:\t0\t0\t0\t0\n';

  function exitingTree(restricted = false) {
    const f = newFixture();
    f.kpages([{ pfn: 4, count: 1, flags: KPF_ANON | KPF_SWAPBACKED }]);
    const mappings = [{ start: 0x400000, end: 0x401000, pages: [{ index: 0, pfn: 4 }] }];
    f.process({
      pid: 70,
      comm: 'going',
      state: 'R',
      flags: EXITING_FLAGS,
      files: {
        status: noMemoryStatus,
        statm: '0 0 0 0 0 0 0\n',
        smaps_rollup: '',
      },
      unreadable: ['pagemap'],
    });
    // Exiting, its memory not yet gone: it holds its pages and is shown.
    f.process({
      pid: 71,
      comm: 'leaving',
      state: 'R',
      flags: EXITING_FLAGS,
      mappings,
      statmResidentPages: 1,
      files: { smaps_rollup: `${mapsLine(mappings[0]!)}\nRss:  4 kB\n` },
      unreadable: restricted ? ['pagemap'] : [],
    });
    // Alive with no page resident: shown with 0 B (it has memory, status says VmRSS).
    f.process({
      pid: 72,
      comm: 'idle',
      mappings: [{ start: 0x400000, end: 0x401000 }],
      unreadable: restricted ? ['pagemap'] : [],
    });
    return f;
  }

  it('is gone, not a process of 0 bytes, with PFNs and without', () => {
    const f = exitingTree();
    for (const unprivileged of [false, true]) {
      const sampler = Sampler.open({ procRoot: f.root, unprivileged });
      try {
        const snap = sampler.sample();
        expect(
          snap.processes.map((p) => [p.pid, p.totals.rssBytes]),
          `unprivileged ${unprivileged}`,
        ).toEqual([
          [71, PAGE],
          [72, 0],
        ]);
      } finally {
        sampler.close();
      }
    }
  });

  it('is gone for a user who may only read its statm (restricted)', () => {
    const f = exitingTree(true);
    const cli = runCli(['--proc-root', f.root, 'snapshot', '--json'], { uid: 65534 });
    expect(cli.stderr).toBe('');
    const snap = JSON.parse(cli.stdout) as SnapshotJson;
    expect(snap.processes.map((p) => [p.pid, p.restricted, p.rss])).toEqual([
      [71, true, PAGE],
      [72, true, 0],
    ]);
  });

  it('is gone when stat says so only on the second reading (status still had VmRSS)', () => {
    const f = exitingTree();
    // Exited between the reading of status and maps: status has VmRSS, maps is empty, and
    // stat read after the pages has PF_EXITING.
    f.process({
      pid: 73,
      comm: 'late',
      flags: EXITING_FLAGS,
      mappings: [],
      statmResidentPages: 3,
    });
    expect(sample(f.root).processes.map((p) => p.pid)).toEqual([71, 72]);
  });
});

describe('the live /proc layout in a tree', () => {
  it('follows self when it links inside the tree, as /proc/self does', () => {
    const f = newFixture();
    f.process({ pid: 5 });
    f.write('5/auxv', Buffer.from(new BigUint64Array([6n, 16384n, 0n, 0n]).buffer));
    f.odd('self', { link: '5' });
    expect(sample(f.root).pageSize).toBe(16384);
  });
});
