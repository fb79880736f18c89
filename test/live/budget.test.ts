// Sampling within a CPU budget against the live kernel, on processes these tests start: with a
// small budget not every process is read in every sample, each is read again within a bounded
// number of samples, the focused process is read every time, rows carry their age, and what a
// sample reads still equals smaps_rollup.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBatch } from '../../src/commands/batch.js';
import { ScanBudget } from '../../src/store/scan-budget.js';
import { carryScans } from '../../src/model/merge.js';
import type { Snapshot } from '../../src/model/types.js';
import { Sampler } from '../../src/sampler/sampler.js';
import { ROLLUP_FIELDS, asRollup, readRollup } from '../helpers/smaps.js';
import { Workload } from '../helpers/workload.js';

/** Six processes of 64 MiB each (a parent and five forked children), and a small one. */
const PAGES = 16_384;
const CHILDREN = 5;
const INTERVAL_MS = 200;
const SAMPLES = 30;

let parent: Workload;
let focus: Workload;
let pids: number[];
let sampler: Sampler;

beforeAll(async () => {
  parent = await Workload.start();
  const anon = await parent.anon(PAGES);
  await parent.fork(CHILDREN);
  // Each child writes its own copy: each process's read then costs about the same alone as
  // with the others (no page looked up once for all).
  for (let i = 0; i < CHILDREN; i++) await parent.child(i).write(anon, 0, PAGES);
  focus = await Workload.start();
  await focus.anon(64);
  pids = [parent.pid, ...parent.descendantPids(), focus.pid];
  // The sampler runs in this process, which lives while the kernel's figures are read: they
  // count its mappings, so it subtracts none of its own (as with --include-self).
  sampler = Sampler.open({ includeSelf: true });
}, 120_000);

afterAll(async () => {
  sampler?.close();
  await Promise.all([parent?.stop(), focus?.stop()]);
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('sampling within a CPU budget (root)', () => {
  it('reads processes in turn, the focused one always, and fresh rows equal smaps_rollup', async () => {
    // A budget that holds about a third of a full read per interval, whatever this machine's
    // speed: measured on warm full reads.
    let fullMs = Infinity;
    for (let i = 0; i < 3; i++) fullMs = Math.min(fullMs, sampler.sample({ pids }).cpuMs!);
    const budgetPercent = (100 * fullMs) / 3 / INTERVAL_MS;
    // The budget charges what the samples cost (their own CPU time, every thread): this test
    // process's other work (vitest's, the checks below) is no part of the loop it plans.
    // memtop's own loop charges all of its CPU (test/e2e/cpu-share.test.ts).
    let samplesCpuMs = 0;
    const budget = new ScanBudget(
      budgetPercent,
      () => performance.now(),
      () => samplesCpuMs,
    );
    const frames: Snapshot[] = [];
    const readIn: number[][] = [];
    let previous: Snapshot | undefined;
    const started = performance.now();
    for (let i = 0; i < SAMPLES; i++) {
      if (i > 0) await sleep(INTERVAL_MS);
      const statusOnly = budget.plan(previous, pids, { required: [focus.pid] }, INTERVAL_MS);
      const read = sampler.sample({
        pids,
        focusPid: focus.pid,
        ...(statusOnly ? { statusOnlyPids: statusOnly } : {}),
      });
      samplesCpuMs += read.cpuMs!;
      budget.record(read);
      readIn.push(read.processes.filter((p) => p.scannedAtMs === undefined).map((p) => p.pid));
      previous = carryScans(read, previous);
      frames.push(previous);
    }
    const elapsedMs = performance.now() - started;
    expect(frames.every((f) => f.processes.length === pids.length)).toBe(true);

    // Not every process in every sample, the focused one in each.
    expect(readIn[0]!.sort()).toEqual([...pids].sort());
    const later = readIn.slice(1);
    expect(later.some((r) => r.length < pids.length)).toBe(true);
    for (const r of later) expect(r).toContain(focus.pid);

    // Oldest first: what a sample reads besides the focused process was last read no later
    // than anything it leaves for later (how many fit depends on this machine's load).
    const lastRead = new Map(pids.map((pid) => [pid, 0]));
    const others = pids.filter((pid) => pid !== focus.pid);
    later.forEach((r, i) => {
      const taken = others.filter((pid) => r.includes(pid)).map((pid) => lastRead.get(pid)!);
      const left = others.filter((pid) => !r.includes(pid)).map((pid) => lastRead.get(pid)!);
      if (taken.length > 0 && left.length > 0) {
        expect(Math.max(...taken), `sample ${i + 1}`).toBeLessThanOrEqual(Math.min(...left));
      }
      for (const pid of r) lastRead.set(pid, i + 1);
    });
    // So each process is read again once the first sample's debt is repaid.
    const settled = later.slice(5);
    for (const pid of pids) {
      expect(
        settled.some((r) => r.includes(pid)),
        `process ${pid} read again`,
      ).toBe(true);
    }

    // Rows not read carry their age; the last read's counters equal smaps_rollup now (the
    // processes are quiescent), fresh or carried.
    const ages = frames.flatMap((f) =>
      f.processes.filter((p) => p.scannedAtMs !== undefined).map((p) => f.timeMs - p.scannedAtMs!),
    );
    expect(ages.length).toBeGreaterThan(0);
    expect(Math.min(...ages)).toBeGreaterThan(0);
    const last = frames.at(-1)!;
    const fresh = last.processes.filter((p) => p.scannedAtMs === undefined);
    expect(fresh.map((p) => p.pid)).toContain(focus.pid);
    for (const p of last.processes) {
      const rollup = readRollup(p.pid);
      const kernel = Object.fromEntries(ROLLUP_FIELDS.map((f) => [f, rollup[f]]));
      expect(asRollup(p.totals), `process ${p.pid}`).toEqual(kernel);
    }

    // The budget: CPU of all samples after the first against the time they span.
    const cost = budget.cost()!;
    const cpuMs = frames.slice(1).reduce((sum, f) => sum + (f.cpuMs ?? 0), 0);
    const percent = (100 * cpuMs) / (elapsedMs - frames[0]!.costMs);
    console.log(
      `full read ${fullMs.toFixed(1)} ms, budget ${budgetPercent.toFixed(2)}%: ${percent.toFixed(2)}% of a core over ${SAMPLES - 1} samples ` +
        `(header average ${cost.averagePercent?.toFixed(2)}%); reads per sample ${later.map((r) => r.length).join(' ')}`,
    );
    // The focused process is read whatever the budget; the first sample's debt is repaid.
    expect(percent).toBeLessThan(budgetPercent * 2);
  });

  it('batch JSON says when each process was read', async () => {
    const lines: string[] = [];
    await runBatch(sampler, {
      iterations: 6,
      intervalMs: 150,
      json: true,
      pids,
      sort: 'pid',
      limit: 1,
      budgetPercent: 0.5,
      write: (text) => lines.push(text),
    });
    const docs = lines.map(
      (l) =>
        JSON.parse(l) as {
          time: string;
          budgetPercent: number;
          processesRead: number;
          processes: { pid: number; sampledAt: string | null; ageMs: number | null }[];
        },
    );
    expect(docs[0]!.processes.every((p) => p.ageMs === 0 && p.sampledAt === docs[0]!.time)).toBe(
      true,
    );
    expect(docs.every((d) => d.budgetPercent === 0.5)).toBe(true);
    const stale = docs.slice(1).flatMap((d) => d.processes.filter((p) => p.ageMs! > 0));
    expect(stale.length).toBeGreaterThan(0);
    for (const d of docs.slice(1)) {
      expect(d.processesRead).toBeLessThan(pids.length);
      for (const p of d.processes) {
        expect(Date.parse(d.time) - Date.parse(p.sampledAt!)).toBe(p.ageMs);
      }
    }
  });
});
