// Groups against the live kernel (root): memory cgroups made for the test on the hierarchy that
// holds the memory controller, a fork family in one, an unrelated process mapping the same file
// in another; what each holds alone, page for page, and the kernel's own figures beside it.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  rmdirSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleGroups } from '../../src/commands/groups.js';
import { residentPfns } from '../../src/model/group-charges.js';
import { computeGroups } from '../../src/model/groups.js';
import type { PageTable, ProcessSample } from '../../src/model/types.js';
import { GroupSource } from '../../src/sampler/cgroups.js';
import { parseCgroupMounts } from '../../src/sampler/parse-cgroup.js';
import { Sampler } from '../../src/sampler/sampler.js';
import { runCli } from '../helpers/cli.js';
import { readRollup } from '../helpers/smaps.js';
import { PAGE_SIZE, Workload } from '../helpers/workload.js';

const ANON_PAGES = 64;
/** Child 0 writes these first pages of the private region: copies of its own. */
const CHILD0_WRITES = 16;
const SHM_PAGES = 16;
const CHILD0_SHM_WRITES = 8;
const FILE_PAGES = 16;
/** The other process maps the first pages of the file only (fault-around stays in its VMA). */
const OTHER_FILE_PAGES = 8;
/**
 * A file written past the page cache (O_DIRECT): the family faults its pages in (they are
 * charged to the family's cgroup), the other maps them too, then the family unmaps them.
 */
const CHARGED_PAGES = 8;

const mounts = parseCgroupMounts(readFileSync('/proc/self/mountinfo', 'utf8'));
const hierarchy = mounts.v1Memory?.mountPoint;
const tag = `memtop-test-${process.pid}-${Date.now().toString(36)}`;
const cgroupPath = (name: string) => `/${tag}-${name}`;
const cgroupDirOf = (name: string) => `${hierarchy}${cgroupPath(name)}`;
const NAMES = ['family', 'other', 'a', 'b'];

let dir: string;
let family: Workload;
let other: Workload;
let regions: { anon: number; shm: number; file: number; otherFile: number; otherCharged: number };
const workloads: Workload[] = [];
const helpers: ChildProcess[] = [];

function moveInto(name: string, pid: number): void {
  writeFileSync(`${cgroupDirOf(name)}/cgroup.procs`, `${pid}\n`);
}

function usageOf(name: string): number {
  return Number(readFileSync(`${cgroupDirOf(name)}/memory.usage_in_bytes`, 'utf8'));
}

beforeAll(async () => {
  expect(hierarchy, 'a v1 memory hierarchy (this host keeps the memory controller on v1)').toBe(
    '/sys/fs/cgroup/memory',
  );
  for (const name of NAMES) mkdirSync(cgroupDirOf(name));
  dir = mkdtempSync(join(tmpdir(), 'memtop-groups-'));
  const path = join(dir, 'data.bin');
  const fd = openSync(path, 'w', 0o644);
  for (let p = 0; p < FILE_PAGES; p++) writeSync(fd, Buffer.alloc(PAGE_SIZE, p + 1));
  fsyncSync(fd); // clean page cache
  closeSync(fd);
  const charged = join(dir, 'charged.bin');
  execFileSync(
    'dd',
    ['if=/dev/urandom', `of=${charged}`, 'bs=4096', `count=${CHARGED_PAGES}`, 'oflag=direct'],
    { stdio: 'ignore' },
  );
  expect(execFileSync('fincore', ['-n', '-o', 'PAGES', charged], { encoding: 'utf8' }).trim()).toBe(
    '0',
  );
  family = await Workload.start();
  other = await Workload.start();
  workloads.push(family, other);
  // Into the cgroups before any region is made: the pages they fault from now on are charged
  // there (v1 does not move a process's earlier charges with it).
  moveInto('family', family.pid);
  moveInto('other', other.pid);
  const anon = await family.anon(ANON_PAGES);
  const shm = await family.shared(SHM_PAGES);
  const file = await family.file(path, FILE_PAGES);
  await family.fork(2);
  await family.child(0).write(anon, 0, CHILD0_WRITES);
  await family.child(0).write(shm, 0, CHILD0_SHM_WRITES);
  await family.child(1).touch(file, 0, FILE_PAGES);
  const otherFile = await other.file(path, OTHER_FILE_PAGES);
  const familyCharged = await family.file(charged, CHARGED_PAGES);
  const otherCharged = await other.file(charged, CHARGED_PAGES);
  await family.unmap(familyCharged, CHARGED_PAGES);
  regions = { anon, shm, file, otherFile, otherCharged };
}, 60_000);

afterAll(async () => {
  for (const h of helpers) h.kill('SIGKILL');
  await Promise.all(workloads.map((w) => w.stop()));
  // rmdir needs an empty cgroup: whatever is still in one goes back to the root first.
  for (const name of NAMES) {
    const cg = cgroupDirOf(name);
    if (!existsSync(cg)) continue;
    for (const pid of readFileSync(`${cg}/cgroup.procs`, 'utf8').split('\n').filter(Boolean)) {
      try {
        writeFileSync(`${hierarchy}/cgroup.procs`, `${pid}\n`);
      } catch {
        // gone meanwhile
      }
    }
    rmdirSync(cg);
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const familyPids = () => [family.pid, ...family.childPids];

/** The rows of a process's page table inside the mappings starting at `starts`. */
function onlyRegions(p: ProcessSample, starts: readonly number[]): ProcessSample {
  const t = p.pages!;
  const rows = p
    .mappings!.filter((m) => starts.includes(m.start))
    .flatMap((m) => Array.from({ length: m.pageEnd - m.pageBegin }, (_, i) => m.pageBegin + i));
  const pages: PageTable = {
    count: rows.length,
    pageIndex: Uint32Array.from(rows, (r) => t.pageIndex[r]!),
    pagemapBits: Uint16Array.from(rows, (r) => t.pagemapBits[r]!),
    kpageFlags: Uint32Array.from(rows, (r) => t.kpageFlags[r]!),
    mapCount: Uint32Array.from(rows, (r) => t.mapCount[r]!),
    pfn: Float64Array.from(rows, (r) => t.pfn[r]!),
  };
  return { ...p, pages };
}

interface JsonGroup {
  key: string;
  processes: number;
  pids: number[];
  pss: number;
  exclusive: Record<string, number> | null;
  sharedOut: number | null;
  sharesWith: { key: string | null; shared: number }[];
  cgroup?: { version: number; usage: number; limit: number | string };
}

describe('groups by memory cgroup (root)', () => {
  it('holds alone exactly the pages only the family maps; the file pages the other maps are shared', () => {
    const sampler = Sampler.open();
    try {
      const source = GroupSource.open('/proc');
      const pids = [...familyPids(), other.pid];
      const { snapshot } = sampleGroups(sampler, source, 'cgroup', { pids, mappings: true });
      const read = source.read(pids, true);
      const famStarts = [regions.anon, regions.shm, regions.file];
      const otherStarts = [regions.otherFile, regions.otherCharged];
      const inRegions = snapshot.processes.map((p) =>
        onlyRegions(p, p.pid === other.pid ? otherStarts : famStarts),
      );
      const groups = computeGroups('cgroup', {
        snapshot: { ...snapshot, processes: inRegions },
        facts: read.facts,
        cgroupInodes: read.cgroupInodes,
        pageCgroup: source.readPageCgroups(residentPfns(inRegions))!,
      });
      const fam = groups.find((g) => g.key === cgroupPath('family'))!;
      const oth = groups.find((g) => g.key === cgroupPath('other'))!;
      expect(fam.pids).toEqual([...familyPids()].sort((a, b) => a - b));
      const anon = (ANON_PAGES + CHILD0_WRITES) * PAGE_SIZE;
      const shm = SHM_PAGES * PAGE_SIZE;
      const file = (FILE_PAGES - OTHER_FILE_PAGES) * PAGE_SIZE;
      expect(fam.exclusive).toEqual({
        rssBytes: anon + shm + file,
        anonBytes: anon,
        fileBytes: file,
        shmemBytes: shm,
        cleanBytes: file,
        dirtyBytes: anon + shm,
      });
      expect(fam.sharedOutBytes).toBe(OTHER_FILE_PAGES * PAGE_SIZE);
      expect(fam.sharesWith).toEqual([
        { key: cgroupPath('other'), sharedBytes: OTHER_FILE_PAGES * PAGE_SIZE },
      ]);
      // The pages only the other maps now are its alone, whoever pays for them.
      const charged = CHARGED_PAGES * PAGE_SIZE;
      expect(oth.exclusive).toEqual({
        rssBytes: charged,
        anonBytes: 0,
        fileBytes: charged,
        shmemBytes: 0,
        cleanBytes: charged,
        dirtyBytes: 0,
      });
      // data.bin's page cache is the test's (it wrote the file), in no group's cgroup;
      // charged.bin's is the family's (it faulted the pages in first).
      expect(fam.charge).toEqual({
        mappedChargedElsewhereBytes: FILE_PAGES * PAGE_SIZE,
        chargedMappedByOthersBytes: charged,
      });
      expect(oth.charge).toEqual({
        mappedChargedElsewhereBytes: OTHER_FILE_PAGES * PAGE_SIZE + charged,
        chargedMappedByOthersBytes: 0,
      });
      expect(oth.sharesWith).toEqual([
        { key: cgroupPath('family'), sharedBytes: OTHER_FILE_PAGES * PAGE_SIZE },
      ]);
    } finally {
      sampler.close();
    }
  });

  it('snapshot --group cgroup --json: Σ PSS as smaps_rollup has it, usage_in_bytes as the kernel has it', () => {
    const pids = [...familyPids(), other.pid];
    // The charge can move under a read: the kernel charges in per-CPU batches and returns a
    // batch's unused rest when another cgroup charges on that CPU. A read between two equal
    // reads of usage_in_bytes is compared; a few tries find one.
    let doc: { groups: JsonGroup[]; processes: { pid: number; pss: number }[] } | undefined;
    let before: number[] = [];
    for (let attempt = 0; attempt < 5; attempt++) {
      before = ['family', 'other'].map(usageOf);
      const r = runCli(['snapshot', '--group', 'cgroup', '--json', '-p', pids.join(',')]);
      expect(r.status, r.stderr).toBe(0);
      const after = ['family', 'other'].map(usageOf);
      doc = JSON.parse(r.stdout);
      if (before.every((u, i) => u === after[i])) break;
      doc = undefined;
    }
    expect(doc, 'usage_in_bytes held still across one sample in 5 tries').toBeDefined();
    ['family', 'other'].forEach((name, i) => {
      const g = doc!.groups.find((x) => x.key === cgroupPath(name))!;
      expect(g.cgroup).toMatchObject({ version: 1, usage: before[i], limit: 'max' });
      const members = g.pids;
      const rollups = members.map((pid) => readRollup(pid));
      const kernelPssKb = rollups.reduce((s, r) => s + r['Pss']!, 0);
      // Per process, memtop's PSS in kB is the kernel's; the group's sum rounds once.
      const memtopPss = members.map((pid) => doc!.processes.find((p) => p.pid === pid)!.pss);
      expect(memtopPss.reduce((s, b) => s + Math.floor(b / 1024), 0)).toBe(kernelPssKb);
      const sum = memtopPss.reduce((s, b) => s + b, 0);
      expect(g.pss - sum).toBeGreaterThanOrEqual(0);
      expect(g.pss - sum).toBeLessThan(members.length);
      // Every anonymous page of the family is its alone (none is mapped outside a fork family),
      // so its anonymous PSS adds up to what it holds alone, within smaps' rounding to kB.
      const pssAnonKb = rollups.reduce((s, r) => s + r['Pss_Anon']!, 0);
      expect(Math.abs(g.exclusive!['anon']! - pssAnonKb * 1024)).toBeLessThanOrEqual(
        members.length * 1024,
      );
    });
    const fam = doc!.groups.find((x) => x.key === cgroupPath('family'))!;
    expect(fam.processes).toBe(3);
    expect(fam.exclusive!['rss']).toBeGreaterThanOrEqual(
      (ANON_PAGES + CHILD0_WRITES + SHM_PAGES + FILE_PAGES - OTHER_FILE_PAGES) * PAGE_SIZE,
    );
    expect(
      fam.sharesWith.find((s) => s.key === cgroupPath('other'))!.shared,
    ).toBeGreaterThanOrEqual(OTHER_FILE_PAGES * PAGE_SIZE);
  });

  it('without map counts: Σ PSS of the processes one may read, what a group holds alone unknown (null)', () => {
    const pids = [...familyPids(), other.pid];
    const r = runCli([
      'snapshot',
      '--group',
      'cgroup',
      '--json',
      '--unprivileged',
      '-p',
      pids.join(','),
    ]);
    expect(r.status, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as {
      groups: JsonGroup[];
      processes: { pid: number; pss: number }[];
    };
    const fam = doc.groups.find((g) => g.key === cgroupPath('family'))!;
    expect(fam.exclusive).toBeNull();
    expect(fam.sharedOut).toBeNull();
    const sum = fam.pids.reduce((s, pid) => s + doc.processes.find((p) => p.pid === pid)!.pss, 0);
    expect(fam.pss - sum).toBeGreaterThanOrEqual(0);
    expect(fam.pss - sum).toBeLessThan(fam.pids.length);
    expect(fam.pss).toBeGreaterThan(0);
    // Another user: root's processes are restricted, their PSS unknown, and said so.
    const nobody = runCli(['snapshot', '--group', 'program', '--json', '-p', pids.join(',')], {
      uid: 65534,
    });
    expect(nobody.status, nobody.stderr).toBe(0);
    const groups = (
      JSON.parse(nobody.stdout) as { groups: (JsonGroup & { unknownProcesses: number })[] }
    ).groups;
    expect(groups.reduce((s, g) => s + g.unknownProcesses, 0)).toBe(pids.length);
    for (const g of groups) expect(g.exclusive).toBeNull();
  });

  it('a process moving between cgroups while sampled is in exactly one group of each sample', async () => {
    const mover = await Workload.start();
    workloads.push(mover);
    moveInto('a', mover.pid);
    const a = cgroupDirOf('a');
    const b = cgroupDirOf('b');
    const toggler = spawn(
      'sh',
      [
        '-c',
        `while :; do echo ${mover.pid} > ${b}/cgroup.procs; echo ${mover.pid} > ${a}/cgroup.procs; done`,
      ],
      { stdio: 'ignore' },
    );
    helpers.push(toggler);
    const sampler = Sampler.open();
    try {
      const source = GroupSource.open('/proc');
      const seen = new Set<string>();
      const pids = [mover.pid, other.pid];
      for (let i = 0; i < 40 && seen.size < 2; i++) {
        const { groups } = sampleGroups(sampler, source, 'cgroup', { pids, mappings: false });
        const holding = groups.filter((g) => g.pids.includes(mover.pid));
        expect(holding).toHaveLength(1);
        expect([cgroupPath('a'), cgroupPath('b')]).toContain(holding[0]!.key);
        expect(groups.reduce((s, g) => s + g.pids.length, 0)).toBe(2);
        seen.add(holding[0]!.key);
      }
      expect([...seen].sort()).toEqual([cgroupPath('a'), cgroupPath('b')]);
    } finally {
      sampler.close();
      toggler.kill('SIGKILL');
    }
  }, 60_000);
});
