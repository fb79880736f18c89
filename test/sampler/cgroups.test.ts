// Cgroups from fixture trees (--proc-root and --cgroup-root): the container path shapes, the
// v2 files a v1 host does not have, and cgroups removed while read.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GroupSource } from '../../src/sampler/cgroups.js';
import { runCli } from '../helpers/cli.js';
import { FixtureProc } from '../helpers/fixture-proc.js';

const ID = 'c0ffee0123456789abcdef0123456789abcdef0123456789abcdef0123456789';
const POD = '8e1d4c2a-1b2c-4d5e-8f90-a1b2c3d4e5f6';
const MiB = 1024 * 1024;

const cleanup: (() => void)[] = [];
afterEach(() => {
  for (const f of cleanup.splice(0)) f();
});

function newProc(): FixtureProc {
  const f = new FixtureProc();
  cleanup.push(() => f.remove());
  return f;
}

/** A cgroup root in a fresh directory; files written as given, directories made. */
function newCgroupRoot(): { root: string; write: (path: string, text: string) => void } {
  const root = mkdtempSync(join(tmpdir(), 'memtop-cgroup-'));
  cleanup.push(() => rmSync(root, { recursive: true, force: true }));
  return {
    root,
    write(path, text) {
      const full = join(root, path);
      mkdirSync(join(full, '..'), { recursive: true });
      writeFileSync(full, text);
    },
  };
}

/** A process of the fixture in these cgroups, running `exe`. */
function addProcess(
  f: FixtureProc,
  pid: number,
  cgroup: { v1Memory?: string; v2: string },
  exe?: string,
) {
  const lines = [
    ...(cgroup.v1Memory === undefined ? [] : [`4:memory:${cgroup.v1Memory}`]),
    '1:cpu:/',
    `0::${cgroup.v2}`,
  ];
  f.process({ pid, comm: `p${pid}`, files: { cgroup: lines.join('\n') + '\n' } });
  if (exe) symlinkSync(exe, join(f.root, String(pid), 'exe'));
}

/** The v1 files of a memory cgroup, usage in MiB. */
function v1Cgroup(
  cg: ReturnType<typeof newCgroupRoot>,
  path: string,
  usageMiB: number,
  skip: string[] = [],
) {
  const files: Record<string, string> = {
    'memory.usage_in_bytes': `${usageMiB * MiB}\n`,
    'memory.limit_in_bytes': '9223372036854771712\n',
    'memory.memsw.usage_in_bytes': `${(usageMiB + 1) * MiB}\n`,
    'memory.kmem.usage_in_bytes': `${MiB}\n`,
    'memory.oom_control': 'oom_kill_disable 0\nunder_oom 0\noom_kill 2\n',
    'memory.stat':
      'cache 1\nrss 2\nshmem 3\nmapped_file 4\ntotal_cache 4096\ntotal_rss 8192\n' +
      'total_shmem 4096\ntotal_mapped_file 4096\n',
  };
  for (const [name, text] of Object.entries(files)) {
    if (!skip.includes(name)) cg.write(`memory${path}/${name}`, text);
  }
}

const SHAPES = [
  [10, `/system.slice/docker-${ID}.scope`, { runtime: 'docker', containerId: 'c0ffee012345' }],
  [11, `/docker/${ID}`, { runtime: 'docker', containerId: 'c0ffee012345' }],
  [
    12,
    `/kubepods/burstable/pod${POD}/${ID}`,
    { runtime: 'containerd', containerId: 'c0ffee012345', podUid: POD },
  ],
  [
    13,
    `/kubepods.slice/kubepods-pod${POD.replace(/-/g, '_')}.slice/cri-containerd-${ID}.scope`,
    { runtime: 'containerd', containerId: 'c0ffee012345', podUid: POD },
  ],
  [14, `/machine.slice/libpod-${ID}.scope`, { runtime: 'podman', containerId: 'c0ffee012345' }],
  [15, '/system.slice/nginx.service', { unit: 'nginx.service' }],
  [16, '/user.slice/user-0.slice/session-4.scope', { unit: 'session-4.scope' }],
] as const;

describe('snapshot --group cgroup on fixture trees', () => {
  it('recognises each container path shape, and reads each cgroup’s v1 counters', () => {
    const f = newProc();
    const cg = newCgroupRoot();
    cg.write('unified/cgroup.controllers', '\n');
    for (const [pid, path] of SHAPES) {
      addProcess(f, pid, { v1Memory: path, v2: '/' }, `/usr/bin/prog${pid} (deleted)`);
      v1Cgroup(cg, path, pid);
    }
    const r = runCli([
      'snapshot',
      '--group',
      'cgroup',
      '--json',
      '--proc-root',
      f.root,
      '--cgroup-root',
      cg.root,
    ]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout) as {
      groupBy: string;
      groups: Record<string, unknown>[];
      processes: unknown[];
    };
    expect(doc.groupBy).toBe('cgroup');
    expect(doc.processes).toHaveLength(SHAPES.length);
    for (const [pid, path, name] of SHAPES) {
      const g = doc.groups.find((x) => x['key'] === path)!;
      expect(g, path).toBeDefined();
      expect(g).toMatchObject({ kind: 'cgroup', processes: 1, pids: [pid], v2Path: '/', ...name });
      if (!('containerId' in name)) expect(g['containerId']).toBeUndefined();
      expect(g['cgroup']).toEqual({
        version: 1,
        path,
        usage: pid * MiB,
        limit: 'max',
        memsw: (pid + 1) * MiB,
        swap: MiB,
        oomKills: 2,
        underOom: false,
        anon: 8192,
        file: 4096,
        fileMapped: 4096,
        shmem: 4096,
        kernel: MiB,
      });
    }
    const program = runCli(['snapshot', '--group', 'program', '--csv', '--proc-root', f.root]);
    expect(program.status).toBe(0);
    expect(program.stdout.split('\n').filter((l) => l.startsWith('program,prog1')).length).toBe(7);
  });

  it('reads the v2 files: memory.current, max, swap.current, events, pressure, stat', () => {
    const f = newProc();
    const cg = newCgroupRoot();
    cg.write('cgroup.controllers', 'cpu io memory pids\n');
    const path = '/system.slice/app.service';
    addProcess(f, 20, { v2: path });
    const files: Record<string, string> = {
      'memory.current': `${5 * MiB}\n`,
      'memory.max': `${64 * MiB}\n`,
      'memory.swap.current': '8192\n',
      'memory.events': 'low 0\nhigh 0\nmax 3\noom 2\noom_kill 1\noom_group_kill 0\n',
      'memory.pressure':
        'some avg10=1.50 avg60=0.25 avg300=0.00 total=12345\nfull avg10=0.50 avg60=0.00 avg300=0.00 total=678\n',
      'memory.stat':
        'anon 1048576\nfile 2097152\nkernel 409600\nkernel_stack 16384\npagetables 32768\n' +
        'sec_pagetables 0\npercpu 0\nsock 0\nvmalloc 0\nshmem 4096\nfile_mapped 8192\nslab 204800\n',
    };
    for (const [name, text] of Object.entries(files)) cg.write(`${path.slice(1)}/${name}`, text);
    const source = GroupSource.open(f.root, cg.root);
    const read = source.read([20], true);
    expect(read.notices).toEqual([]);
    expect(read.facts.get(20)).toEqual({ cgroup: { v2: path } });
    expect(read.cgroups.get(path)).toEqual({
      version: 2,
      path,
      usageBytes: 5 * MiB,
      limitBytes: 64 * MiB,
      swapBytes: 8192,
      oomEvents: 2,
      oomKills: 1,
      pressure: {
        someAvg10: 1.5,
        someAvg60: 0.25,
        someAvg300: 0,
        someTotalUs: 12345,
        fullAvg10: 0.5,
        fullAvg60: 0,
        fullAvg300: 0,
        fullTotalUs: 678,
      },
      anonBytes: MiB,
      fileBytes: 2 * MiB,
      fileMappedBytes: 8192,
      shmemBytes: 4096,
      kernelBytes: 409600,
      slabBytes: 204800,
      kernelStackBytes: 16384,
      pageTablesBytes: 32768,
    });
  });

  it('drops the figures of a cgroup removed while read, never the sample', () => {
    const f = newProc();
    const cg = newCgroupRoot();
    cg.write('unified/cgroup.controllers', '\n');
    addProcess(f, 30, { v1Memory: '/kept', v2: '/' });
    addProcess(f, 31, { v1Memory: '/half-gone', v2: '/' });
    addProcess(f, 32, { v1Memory: '/gone', v2: '/' });
    addProcess(f, 33, { v1Memory: '/odd', v2: '/' });
    // Optional files missing (no swap accounting, no kmem) are no removal.
    v1Cgroup(cg, '/kept', 1, ['memory.memsw.usage_in_bytes', 'memory.kmem.usage_in_bytes']);
    // Its usage was read, then the directory went: memory.stat is no longer there.
    v1Cgroup(cg, '/half-gone', 2, ['memory.stat']);
    v1Cgroup(cg, '/odd', 3, ['memory.oom_control']);
    mkdirSync(join(cg.root, 'memory/odd/memory.oom_control'));
    const r = runCli([
      'snapshot',
      '--group',
      'cgroup',
      '--json',
      '--proc-root',
      f.root,
      '--cgroup-root',
      cg.root,
    ]);
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout) as {
      notices: string[];
      groups: Record<string, unknown>[];
      processes: unknown[];
    };
    expect(doc.processes).toHaveLength(4);
    const byKey = new Map(doc.groups.map((g) => [g['key'], g]));
    expect(byKey.get('/kept')!['cgroup']).toMatchObject({ usage: MiB });
    expect(byKey.get('/kept')!['cgroup']).not.toHaveProperty('swap');
    for (const key of ['/half-gone', '/gone', '/odd']) {
      expect(byKey.get(key)!['processes']).toBe(1);
      expect(byKey.get(key)).not.toHaveProperty('cgroup');
    }
    expect(doc.notices).toEqual(
      expect.arrayContaining([
        'cgroup /half-gone: no figures this sample: memory.stat is gone',
        'cgroup /gone: no figures this sample: memory.usage_in_bytes is gone',
        `cgroup /odd: no figures this sample: ${cg.root}/memory/odd/memory.oom_control is not a regular file`,
      ]),
    );
  });

  it('groups a process whose cgroup file vanished under "?"; bad keys and roots are usage errors', () => {
    const f = newProc();
    f.process({ pid: 40, comm: 'x', missing: ['cgroup'] });
    const r = runCli(['snapshot', '--group', 'cgroup', '--json', '--proc-root', f.root]);
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout) as { groups: Record<string, unknown>[] };
    expect(doc.groups.map((g) => [g['key'], g['processes']])).toEqual([['?', 1]]);
    const bad = runCli(['snapshot', '--group', 'pod', '--proc-root', f.root]);
    expect([bad.status, bad.stdout, bad.stderr]).toEqual([
      2,
      '',
      'memtop: --group expects one of cgroup, program, user, tree; got "pod"\n',
    ]);
    const root = runCli([
      'snapshot',
      '--group',
      'cgroup',
      '--proc-root',
      f.root,
      '--cgroup-root',
      '/nonexistent',
    ]);
    expect([root.status, root.stderr]).toEqual([
      2,
      'memtop: --cgroup-root expects a directory memtop can read; got "/nonexistent"\n',
    ]);
  });
});
