import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeCounters, emptyCounters, pssBytes } from '../../src/model/counters.js';
import { computeExclusive } from '../../src/model/group-exclusive.js';
import type { ProcessFacts } from '../../src/model/group-types.js';
import { computeFamilyRoots, computeGroups } from '../../src/model/groups.js';
import {
  KPF_ANON,
  KPF_DIRTY,
  KPF_LRU,
  KPF_SWAPBACKED,
  KPF_ZERO_PAGE,
  PM_FILE,
  PM_PRESENT,
  PM_SWAPPED,
} from '../../src/model/page-bits.js';
import type { ProcessSample } from '../../src/model/types.js';
import {
  PAGE,
  pageTable,
  proc,
  restrictedCounters,
  snapshot,
  type PageSpec,
} from '../helpers/synthetic.js';

const ANON = KPF_ANON | KPF_SWAPBACKED | KPF_LRU;
const FILE = KPF_LRU;
const SHMEM = KPF_SWAPBACKED | KPF_LRU | KPF_DIRTY;

const anon = (pfn: number, count: number): PageSpec => ({
  index: pfn,
  bits: PM_PRESENT,
  flags: ANON,
  count,
  pfn,
});
const file = (pfn: number, count: number, flags = FILE): PageSpec => ({
  index: pfn,
  bits: PM_PRESENT | PM_FILE,
  flags,
  count,
  pfn,
});

/** A process whose counters are its pages' (as the sampler would count them). */
function withPages(pid: number, specs: PageSpec[], extra: Partial<ProcessSample> = {}) {
  const pages = pageTable(specs);
  return proc(pid, computeCounters(pages, 0, pages.count, PAGE), { pages, ...extra });
}

/** Facts putting each pid in a v1 memory cgroup. */
function inCgroups(map: Record<number, string>): Map<number, ProcessFacts> {
  return new Map(
    Object.entries(map).map(([pid, path]) => [
      Number(pid),
      { cgroup: { v1Memory: path, v2: '/user.slice' } },
    ]),
  );
}

describe('group-exclusive memory', () => {
  // A and B (a family, cgroup /x) and C (cgroup /y):
  //   100 anon, A+B                → /x's alone
  //   101 file, A+B+C              → shared /x–/y
  //   102 file, A+C                → shared /x–/y
  //   103 anon, A only             → /x's alone
  //   104 shmem, A twice (2 PTEs)  → /x's alone (dirty)
  //   105 file, B, count 3         → shared with mappings outside every listed process
  //   a swap entry and the zero page count for nothing
  const a = withPages(10, [
    anon(100, 2),
    file(101, 3),
    file(102, 2),
    anon(103, 1),
    file(104, 2, SHMEM),
    { ...file(104, 2, SHMEM), index: 1104 },
    { index: 7, bits: PM_SWAPPED, count: 0 },
    { index: 8, bits: PM_PRESENT, flags: KPF_ZERO_PAGE, count: 0, pfn: 9 },
  ]);
  const b = withPages(11, [anon(100, 2), file(101, 3), file(105, 3)], { ppid: 10 });
  const c = withPages(12, [file(101, 3), file(102, 2)]);
  const snap = snapshot([a, b, c]);
  const facts = inCgroups({ 10: '/x', 11: '/x', 12: '/y' });

  it('counts the pages whose every mapping is in the group, split as smaps splits them', () => {
    const groups = computeGroups('cgroup', { snapshot: snap, facts });
    const x = groups.find((g) => g.key === '/x')!;
    const y = groups.find((g) => g.key === '/y')!;
    expect(x.exclusive).toEqual({
      rssBytes: 3 * PAGE,
      anonBytes: 2 * PAGE,
      fileBytes: 0,
      shmemBytes: PAGE,
      cleanBytes: 0,
      dirtyBytes: 3 * PAGE,
    });
    expect(x.sharedOutBytes).toBe(3 * PAGE);
    expect(x.sharesWith).toEqual([
      { key: '/y', sharedBytes: 2 * PAGE },
      { key: null, sharedBytes: PAGE },
    ]);
    expect(y.exclusive).toEqual({
      rssBytes: 0,
      anonBytes: 0,
      fileBytes: 0,
      shmemBytes: 0,
      cleanBytes: 0,
      dirtyBytes: 0,
    });
    expect(y.sharesWith).toEqual([{ key: '/x', sharedBytes: 2 * PAGE }]);
    expect(x.pids).toEqual([10, 11]);
    expect(x.v2Path).toBe('/user.slice');
  });

  it('sums the members’ PSS in fixed point, so that the sum rounds once', () => {
    const groups = computeGroups('cgroup', { snapshot: snap, facts });
    const x = groups.find((g) => g.key === '/x')!;
    expect(x.counters.pssFixed).toBe(a.totals.pssFixed + b.totals.pssFixed);
    expect(pssBytes(x.counters)).toBe(
      Math.floor((a.totals.pssFixed + b.totals.pssFixed) / 2 ** 12),
    );
    expect(x.counters.rssBytes).toBe(a.totals.rssBytes + b.totals.rssBytes);
    expect(x.counters.swapBytes).toBe(PAGE);
  });

  it('counts the pages mapped by a group and charged to another cgroup, and the reverse', () => {
    const X = 1000;
    const Y = 2000;
    const groups = computeGroups('cgroup', {
      snapshot: snap,
      facts,
      cgroupInodes: new Map([
        ['/x', X],
        ['/y', Y],
      ]),
      pageCgroup: new Map([
        [100, X],
        [101, 5],
        [102, Y],
        [103, X],
        [104, X],
        [105, Y],
      ]),
    });
    expect(groups.find((g) => g.key === '/x')!.charge).toEqual({
      mappedChargedElsewhereBytes: 3 * PAGE,
      chargedMappedByOthersBytes: 0,
    });
    expect(groups.find((g) => g.key === '/y')!.charge).toEqual({
      mappedChargedElsewhereBytes: PAGE,
      chargedMappedByOthersBytes: PAGE,
    });
    // Without kpagecgroup there is no such figure at all.
    expect(computeGroups('cgroup', { snapshot: snap, facts })[0]).not.toHaveProperty('charge');
  });

  it('is unknown (null), never zero, without map counts', () => {
    const groups = computeGroups('cgroup', {
      snapshot: snapshot([a, b, c], { privileged: false }),
      facts,
    });
    for (const g of groups) {
      expect(g.exclusive).toBeNull();
      expect(g.sharedOutBytes).toBeNull();
    }
  });

  it('is unknown for a group with a member whose pages were not read; others still know', () => {
    const restricted = proc(13, restrictedCounters(400), { access: 'restricted' });
    const groups = computeGroups('cgroup', {
      snapshot: snapshot([a, b, c, restricted]),
      facts: new Map([...facts, [13, { cgroup: { v1Memory: '/y' } }]]),
    });
    const y = groups.find((g) => g.key === '/y')!;
    expect(y.exclusive).toBeNull();
    expect(y.unknownProcesses).toBe(1);
    expect(y.counters.rssBytes).toBe(c.totals.rssBytes + 400 * 1024);
    expect(y.counters.pssFixed).toBe(c.totals.pssFixed);
    expect(groups.find((g) => g.key === '/x')!.exclusive!.rssBytes).toBe(3 * PAGE);
  });
});

describe('grouping keys', () => {
  it('tree: a process whose parent is pid 0, 1, 2, a shell or not listed heads a family', () => {
    const list = [
      [1, 0, 'init'],
      [100, 1, 'sshd'],
      [200, 100, 'bash'],
      [300, 200, 'make'],
      [400, 300, 'sh'],
      [401, 400, 'cc'],
      [500, 1, 'nginx'],
      [501, 500, 'nginx'],
      [502, 501, 'nginx'],
      [600, 9999, 'orphan'],
      [601, 600, 'kid'],
    ] as const;
    const processes = list.map(([pid, ppid, comm]) => proc(pid, emptyCounters(), { ppid, comm }));
    const roots = computeFamilyRoots(processes);
    expect(Object.fromEntries(roots)).toEqual({
      1: 1,
      100: 100,
      200: 100,
      300: 300,
      400: 300,
      401: 401,
      500: 500,
      501: 500,
      502: 500,
      600: 600,
      601: 600,
    });
    const groups = computeGroups('tree', { snapshot: snapshot(processes), facts: new Map() });
    const nginx = groups.find((g) => g.key === '500')!;
    expect(nginx.label).toBe('nginx');
    expect(nginx.pids).toEqual([500, 501, 502]);
  });

  it('program: the executable’s base name, comm where it could not be read; user: the name', () => {
    const processes = [
      proc(1, emptyCounters(), { comm: 'a', user: 'root' }),
      proc(2, emptyCounters(), { comm: 'b', user: 'root' }),
      proc(3, emptyCounters(), { comm: 'c', user: 'www', uid: 33 }),
    ];
    const facts = new Map<number, ProcessFacts>([
      [1, { exe: 'postgres' }],
      [2, { exe: 'postgres' }],
    ]);
    const byProgram = computeGroups('program', { snapshot: snapshot(processes), facts });
    expect(byProgram.map((g) => [g.key, g.pids])).toEqual(
      expect.arrayContaining([
        ['postgres', [1, 2]],
        ['c', [3]],
      ]),
    );
    const byUser = computeGroups('user', { snapshot: snapshot(processes), facts });
    expect(byUser.map((g) => [g.key, g.pids])).toEqual(
      expect.arrayContaining([
        ['root', [1, 2]],
        ['www', [3]],
      ]),
    );
  });

  it('cgroup: the v1 memory path where there is one, the v2 path otherwise, "?" unknown', () => {
    const processes = [1, 2, 3].map((pid) => proc(pid, emptyCounters()));
    const facts = new Map<number, ProcessFacts>([
      [1, { cgroup: { v1Memory: '/docker/' + 'ab'.repeat(32), v2: '/' } }],
      [2, { cgroup: { v2: '/system.slice/nginx.service' } }],
    ]);
    const groups = computeGroups('cgroup', { snapshot: snapshot(processes), facts });
    const docker = groups.find((g) => g.pids[0] === 1)!;
    expect(docker.name).toEqual({ runtime: 'docker', containerId: 'abababababab' });
    expect(groups.find((g) => g.pids[0] === 2)!.name).toEqual({ unit: 'nginx.service' });
    expect(groups.find((g) => g.pids[0] === 3)!.key).toBe('?');
  });

  it('cgroup: each group names its nearest listed ancestor, so that they form a tree', () => {
    const paths = [
      '/',
      '/system.slice',
      '/system.slice/a.service/sub',
      '/user.slice/u.slice/s.scope',
    ];
    const processes = paths.map((_, i) => proc(i + 1, emptyCounters()));
    const facts = new Map<number, ProcessFacts>(paths.map((v2, i) => [i + 1, { cgroup: { v2 } }]));
    const groups = computeGroups('cgroup', { snapshot: snapshot(processes), facts });
    expect(Object.fromEntries(groups.map((g) => [g.key, g.parentKey]))).toEqual({
      '/': undefined,
      '/system.slice': '/',
      '/system.slice/a.service/sub': '/system.slice',
      '/user.slice/u.slice/s.scope': '/',
    });
  });
});

/** Random hosts: a pool of pages, each process mapping some of them, some mapped elsewhere too. */
const hosts = fc
  .record({
    pool: fc.array(
      fc.record({
        cls: fc.constantFrom(ANON, FILE, SHMEM, FILE | KPF_DIRTY),
        elsewhere: fc.constantFrom(0, 0, 0, 1, 2),
      }),
      { minLength: 1, maxLength: 24 },
    ),
    procs: fc.array(fc.array(fc.nat(23), { maxLength: 16 }), { minLength: 1, maxLength: 7 }),
    groupOf: fc.array(fc.nat(3), { minLength: 7, maxLength: 7 }),
  })
  .map(({ pool, procs, groupOf }) => {
    const rows = procs.map((list) => list.filter((i) => i < pool.length));
    const total = pool.map((p, i) => p.elsewhere + rows.flat().filter((j) => j === i).length);
    const processes = rows.map((list, k) =>
      withPages(
        k + 1,
        list.map((i, r) => ({
          index: r,
          bits: PM_PRESENT,
          flags: pool[i]!.cls,
          count: total[i]!,
          pfn: 1000 + i,
        })),
      ),
    );
    return { pool, rows, total, processes, groupOf: groupOf.slice(0, rows.length) };
  });

type Host = typeof hosts extends fc.Arbitrary<infer T> ? T : never;

describe('group-exclusive memory, properties', () => {
  const run = (h: Host, groupOf: number[]) => {
    const keys = [...new Set(groupOf)].sort().map(String);
    return {
      keys,
      result: computeExclusive({
        processes: h.processes,
        groupOf: groupOf.map((g) => keys.indexOf(String(g))),
        keys,
        pageSize: PAGE,
        hasMapCounts: true,
      }),
    };
  };

  it('one group of every process holds alone exactly the pages mapped by no one else', () => {
    fc.assert(
      fc.property(hosts, (h) => {
        const { result } = run(
          h,
          h.rows.map(() => 0),
        );
        const mapped = new Set(h.rows.flat());
        const alone = [...mapped].filter((i) => h.pool[i]!.elsewhere === 0).length;
        expect(result.exclusive[0]!.rssBytes).toBe(alone * PAGE);
      }),
    );
  });

  it('per group: alone = USS + pages shared only within; alone + shared-out = its distinct pages', () => {
    fc.assert(
      fc.property(hosts, (h) => {
        const { keys, result } = run(h, h.groupOf);
        keys.forEach((key, g) => {
          const members = h.rows.flatMap((list, k) => (String(h.groupOf[k]) === key ? [k] : []));
          const uss = members.reduce((s, k) => s + h.processes[k]!.totals.ussBytes, 0);
          const distinct = new Set(members.flatMap((k) => h.rows[k]!));
          const inGroup = (i: number) =>
            members.reduce((s, k) => s + h.rows[k]!.filter((j) => j === i).length, 0);
          const sharedWithin = [...distinct].filter(
            (i) => h.total[i]! >= 2 && inGroup(i) === h.total[i],
          ).length;
          const e = result.exclusive[g]!;
          expect(e.rssBytes).toBe(uss + sharedWithin * PAGE);
          expect(e.rssBytes + result.sharedOutBytes[g]!).toBe(distinct.size * PAGE);
          expect(e.anonBytes + e.fileBytes + e.shmemBytes).toBe(e.rssBytes);
          expect(e.cleanBytes + e.dirtyBytes).toBe(e.rssBytes);
          for (const s of result.sharesWith[g]!) {
            expect(s.sharedBytes).toBeLessThanOrEqual(result.sharedOutBytes[g]!);
          }
        });
      }),
    );
  });

  it('merging two groups never holds less alone than the two did', () => {
    fc.assert(
      fc.property(hosts, (h) => {
        const split = run(h, h.groupOf);
        const merged = run(
          h,
          h.groupOf.map((g) => (g === 1 ? 0 : g)),
        );
        const at = (r: ReturnType<typeof run>, key: string) =>
          r.keys.includes(key) ? r.result.exclusive[r.keys.indexOf(key)]!.rssBytes : 0;
        expect(at(merged, '0')).toBeGreaterThanOrEqual(at(split, '0') + at(split, '1'));
      }),
    );
  });
});
