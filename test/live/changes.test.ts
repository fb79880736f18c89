// Change tracking against the live kernel: copy-on-write breaks, pages that became shared or
// stopped being shared, and who shares a page, checked page for page against a reference model.
import { closeSync, fsyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changesOf, diffSnapshots } from '../../src/model/changes.js';
import { buildSharerIndex, sharersOfPage, sharesMostWith } from '../../src/model/sharers.js';
import type { Snapshot } from '../../src/model/types.js';
import { Sampler } from '../../src/sampler/sampler.js';
import { runCli } from '../helpers/cli.js';
import { PAGE_SIZE, Workload } from '../helpers/workload.js';
import { CowModel, expectedChanges } from './cow-model.js';

const STEPS = 4;
const SLICE = 32;
const REGION = STEPS * SLICE;

let sampler: Sampler;
const started: Workload[] = [];
let dir: string;

beforeAll(() => {
  sampler = Sampler.open();
  dir = mkdtempSync(join(tmpdir(), 'memtop-changes-'));
});

afterAll(async () => {
  sampler?.close();
  await Promise.all(started.map((w) => w.stop()));
  rmSync(dir, { recursive: true, force: true });
});

async function start(): Promise<Workload> {
  const w = await Workload.start();
  started.push(w);
  return w;
}

function sample(pids: number[]): Snapshot {
  return sampler.sample({ pids, mappings: true, pages: true });
}

function regionChanges(prev: Snapshot, cur: Snapshot, pid: number, start: number) {
  const changes = diffSnapshots(prev, cur);
  const p = cur.processes.find((x) => x.pid === pid)!;
  const c = changesOf(changes, p);
  if (!c) return undefined;
  const m = p.mappings!.findIndex((x) => x.start === start);
  const { cowBreaks, unsharedByOthers, becameShared, moved, faultedIn, freed } = c.mappings[m]!;
  return { cowBreaks, unsharedByOthers, becameShared, moved, faultedIn, freed };
}

describe('page transitions in a fork family (root)', () => {
  it('reports exactly the copy-on-write breaks, newly shared pages and nothing spurious, step by step', async () => {
    const parent = await start();
    const bystander = await start();
    const region = await parent.anon(REGION);
    const model = new CowModel(parent.pid, REGION);
    const family = [parent.pid];
    let prev = sample([...family, bystander.pid]);
    let seen = 0;
    for (let step = 0; step < STEPS; step++) {
      const before = new Map(family.map((pid) => [pid, model.view(pid)]));
      const [child] = await parent.fork(1);
      model.fork(parent.pid, child!);
      // Every child, the new one included, writes the next slice.
      for (let i = 0; i <= step; i++) {
        await parent.child(i).write(region, step * SLICE, SLICE);
        model.write(family[i + 1] ?? child!, step * SLICE, SLICE);
      }
      family.push(child!);
      const cur = sample([...family, bystander.pid]);
      for (const pid of family) {
        const got = regionChanges(prev, cur, pid, region);
        if (pid === child) {
          expect(got, 'a new process has no previous sample').toBeUndefined();
          continue;
        }
        const want = {
          ...expectedChanges(before.get(pid)!, model.view(pid)),
          faultedIn: 0,
          freed: 0,
        };
        expect(got, `step ${step}, pid ${pid}`).toEqual(want);
        seen += want.cowBreaks + want.becameShared + want.unsharedByOthers;
      }
      const quiet = changesOf(
        diffSnapshots(prev, cur),
        cur.processes.find((p) => p.pid === bystander.pid)!,
      )!;
      expect(quiet.totals).toEqual({
        cowBreaks: 0,
        unsharedByOthers: 0,
        becameShared: 0,
        faultedIn: 0,
        freed: 0,
        swappedOut: 0,
        swappedIn: 0,
        moved: 0,
      });
      prev = cur;
    }
    // 4 steps of 32-page slices: the model predicts (and the kernel showed) hundreds of changes.
    expect(seen).toBeGreaterThan(STEPS * SLICE);
  });

  it('marks the pages that changed in the last sample', async () => {
    const parent = await start();
    const region = await parent.anon(64);
    await parent.fork(1);
    const prev = sample([parent.pid, ...parent.childPids]);
    await parent.child(0).write(region, 8, 4);
    const cur = sample([parent.pid, ...parent.childPids]);
    const child = cur.processes.find((p) => p.pid === parent.childPids[0])!;
    const c = changesOf(diffSnapshots(prev, cur), child)!;
    const m = child.mappings!.find((x) => x.start === region)!;
    const marked: number[] = [];
    for (let r = m.pageBegin; r < m.pageEnd; r++)
      if (c.pages[r]) marked.push(child.pages!.pageIndex[r]!);
    expect(marked).toEqual([8, 9, 10, 11]);
  });
});

describe('file pages shared and unshared (root)', () => {
  it('shows pages becoming shared when a second process maps the file, and unshared when it exits', async () => {
    const path = join(dir, 'shared.bin');
    const fd = openSync(path, 'w');
    for (let p = 0; p < 32; p++) writeSync(fd, Buffer.alloc(PAGE_SIZE, p + 1));
    fsyncSync(fd);
    closeSync(fd);
    const a = await start();
    const b = await start();
    const mapA = await a.file(path, 32);
    const s0 = sample([a.pid, b.pid]);
    // b maps only the first 16 pages: fault-around never maps past the end of the VMA.
    await b.file(path, 16);
    const s1 = sample([a.pid, b.pid]);
    expect(regionChanges(s0, s1, a.pid, mapA)).toEqual({
      cowBreaks: 0,
      unsharedByOthers: 0,
      becameShared: 16,
      moved: 0,
      faultedIn: 0,
      freed: 0,
    });
    await b.stop();
    const s2 = sample([a.pid]);
    expect(regionChanges(s1, s2, a.pid, mapA)).toEqual({
      cowBreaks: 0,
      unsharedByOthers: 16,
      becameShared: 0,
      moved: 0,
      faultedIn: 0,
      freed: 0,
    });
  });
});

describe('who shares what (root)', () => {
  it('lists the parent and exactly the children still sharing a page, and ranks the parent first', async () => {
    const K = 3;
    const parent = await start();
    const region = await parent.anon(K * SLICE);
    const model = new CowModel(parent.pid, K * SLICE);
    const children = await parent.fork(K);
    children.forEach((c) => model.fork(parent.pid, c));
    // Child i writes every slice but its own: slice i stays shared by the parent and child i alone.
    for (let i = 0; i < K; i++) {
      for (let s = 0; s < K; s++) {
        if (s === i) continue;
        await parent.child(i).write(region, s * SLICE, SLICE);
        model.write(children[i]!, s * SLICE, SLICE);
      }
    }
    const snap = sampler.sample({ mappings: true, pages: true });
    const index = buildSharerIndex(snap.processes);
    for (let i = 0; i < K; i++) {
      const pi = snap.processes.findIndex((p) => p.pid === children[i]);
      const p = snap.processes[pi]!;
      const m = p.mappings!.find((x) => x.start === region)!;
      for (let r = m.pageBegin; r < m.pageEnd; r++) {
        const page = p.pages!.pageIndex[r]!;
        const sharers =
          p.pages!.mapCount[r]! >= 2 ? sharersOfPage(index, p.pages!.pfn[r]!, PAGE_SIZE) : [];
        const want = model.holders(children[i]!, page);
        expect(sharers.map((s) => s.pid).sort((a, b) => a - b)).toEqual(
          want.length >= 2 ? want.sort((a, b) => a - b) : [],
        );
        for (const s of sharers) expect(s.address).toBe(region + page * PAGE_SIZE);
      }
      const inRegion = sharesMostWith(index, pi, PAGE_SIZE, m.pageBegin, m.pageEnd);
      expect(inRegion).toEqual([
        expect.objectContaining({
          pid: parent.pid,
          sharedBytes: SLICE * PAGE_SIZE,
          mappings: SLICE,
        }),
      ]);
      const whole = sharesMostWith(index, pi, PAGE_SIZE);
      expect(whole[0]?.pid).toBe(parent.pid);
    }
  });
});

describe('changes on the command line (root)', () => {
  it('carries per-process changes in NDJSON batch frames from the second frame on', async () => {
    const w = await start();
    await w.anon(16);
    const out = runCli(['--batch', '--json', '-n', '2', '-d', '0.2', '-p', String(w.pid)]);
    const [first, second] = out.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(first.processes[0].changes).toBeUndefined();
    expect(second.intervalMs).toBeGreaterThanOrEqual(200);
    expect(second.processes[0].changes).toEqual({
      cowBreaks: 0,
      unsharedByOthers: 0,
      becameShared: 0,
      faultedIn: 0,
      freed: 0,
      swappedOut: 0,
      swappedIn: 0,
      moved: 0,
    });
  });

  it('answers who shares a page and who shares the most, with memtop shares', async () => {
    const parent = await start();
    const region = await parent.anon(8);
    const [child] = await parent.fork(1);
    await parent.child(0).write(region, 0, 3);
    const ranked = JSON.parse(runCli(['shares', String(child), '--json']).stdout);
    expect(ranked.sharesWith[0]).toMatchObject({ pid: parent.pid });
    const page = (n: number) => `0x${(region + n * PAGE_SIZE).toString(16)}`;
    const shared = JSON.parse(
      runCli(['shares', String(child), '--page', page(5), '--json']).stdout,
    );
    expect(shared.mapCount).toBe(2);
    expect(shared.sharers.map((s: { pid: number }) => s.pid).sort()).toEqual(
      [parent.pid, child].sort(),
    );
    const own = JSON.parse(runCli(['shares', String(child), '--page', page(1), '--json']).stdout);
    expect(own).toMatchObject({ mapCount: 1, sharers: [] });
  });
});
