// The CPU budget's pure parts: which processes a sample reads, the credit account, and the
// merge of rows a sample did not read with their last read.
import { describe, expect, it } from 'vitest';
import {
  AVERAGE_WINDOW_MS,
  INITIAL_COSTS,
  SCAN_OVERHEAD_PAGES,
  accrueCredit,
  addReading,
  cpuShare,
  fitCosts,
  newBudgetAccount,
  planScans,
  spendCredit,
  type ScanCandidate,
  type ScanCosts,
  type ScanPlanInput,
} from '../../src/model/budget.js';
import { diffSnapshots } from '../../src/model/changes.js';
import { carryScans } from '../../src/model/merge.js';
import { statusCounters } from '../../src/model/snapshot.js';
import type { ProcessSample } from '../../src/model/types.js';
import { counters, forkFamily, proc, snapshot } from '../helpers/synthetic.js';

/** 1 ms per 1000 pages, nothing else: estimates are easy to add up. */
const COSTS: ScanCosts = { msPerProcess: 0, msPerPage: 0.001 };
const NOW = 1_000_000;

/** A process whose read is estimated at `pages` / 1000 ms. */
const cand = (pid: number, pages: number, ageMs = 0): ScanCandidate => ({
  pid,
  residentPages: pages - SCAN_OVERHEAD_PAGES,
  scannedAtMs: Number.isNaN(ageMs) ? NaN : NOW - ageMs,
});

function plan(candidates: ScanCandidate[], over: Partial<ScanPlanInput> = {}): number[] {
  return planScans({
    candidates,
    required: new Set(),
    preferred: new Set(),
    preferredWeight: 8,
    nowMs: NOW,
    allowanceMs: 10,
    allowanceIsFull: false,
    overdueBeforeMs: 0,
    costs: COSTS,
    ...over,
  }).pids;
}

describe('planning which processes a sample reads', () => {
  it('reads the oldest data first, never-read before all, as many as the allowance holds', () => {
    const c = [cand(1, 4000, 2000), cand(2, 4000, NaN), cand(3, 4000, 6000), cand(4, 4000, 4000)];
    expect(plan(c, { allowanceMs: 10 })).toEqual([2, 3]);
    expect(plan(c, { allowanceMs: 100 })).toEqual([2, 3, 4, 1]);
  });

  it('reads the focused process whatever the budget', () => {
    const c = [cand(1, 1_000_000), cand(2, 10, 5000)];
    expect(plan(c, { required: new Set([1]), allowanceMs: -50 })).toEqual([1]);
    expect(plan(c, { required: new Set([1]), allowanceMs: 2000 })).toEqual([1, 2]);
  });

  it('counts the rows on screen as older, so that they are read more often', () => {
    const c = [cand(1, 4000, 6000), cand(2, 4000, 1000)];
    expect(plan(c, { allowanceMs: 5 })).toEqual([1]);
    expect(plan(c, { allowanceMs: 5, preferred: new Set([2]) })).toEqual([2]);
  });

  it('lets none pass the oldest when it does not fit, so that it is not starved', () => {
    const c = [cand(1, 50_000, 9000), cand(2, 100, 1000), cand(3, 100, 500)];
    expect(plan(c, { allowanceMs: 10 })).toEqual([]);
    // Once the credit is as full as it gets, the oldest is read even though it costs more.
    expect(plan(c, { allowanceMs: 10, allowanceIsFull: true })).toEqual([1]);
    // Or once it is overdue; a process never read waits like any other.
    expect(plan(c, { allowanceMs: 10, overdueBeforeMs: NOW - 5000 })).toEqual([1]);
    const never = [cand(4, 50_000, NaN), ...c];
    expect(plan(never, { allowanceMs: 10, overdueBeforeMs: NOW - 5000 })).toEqual([]);
  });

  it('keeps the sort order between equally old processes, and counts each process listed', () => {
    const c = [cand(5, 1000), cand(3, 1000), cand(9, 1000)];
    expect(plan(c, { allowanceMs: 2 })).toEqual([5, 3]);
    const costs = { msPerProcess: 1, msPerPage: 0.001 };
    // 3 ms for listing the three leaves room for one read.
    expect(plan(c, { allowanceMs: 4, costs })).toEqual([5]);
  });
});

describe('the credit account', () => {
  it('fills at the budget fraction up to its cap and is spent by what samples cost', () => {
    let a = accrueCredit(newBudgetAccount(), 0.1, 0, 500);
    a = accrueCredit(a, 0.1, 2000, 500);
    expect(a.creditMs).toBeCloseTo(200);
    a = accrueCredit(a, 0.1, 60_000, 500);
    expect(a.creditMs).toBe(500);
    const sample = { atMs: 60_000, cpuMs: 2000, processes: 10, scanned: 10, scannedPages: 1e6 };
    expect(spendCredit(a, sample).creditMs).toBe(-1500);
  });

  it('fits the cost per process and per page to recent samples', () => {
    let a = newBudgetAccount();
    // 0.02 ms per process listed, 4 µs per page read (overhead pages included).
    const cost = (processes: number, scanned: number, pages: number) =>
      0.02 * processes + 0.004 * (pages + SCAN_OVERHEAD_PAGES * scanned);
    const samples = [
      [100, 0, 0],
      [100, 3, 30_000],
      [120, 1, 500],
      [100, 10, 200_000],
      [110, 0, 0],
    ] as const;
    samples.forEach(([processes, scanned, scannedPages], i) => {
      const cpuMs = cost(processes, scanned, scannedPages);
      a = spendCredit(a, { atMs: i * 1000, cpuMs, processes, scanned, scannedPages });
    });
    expect(a.costs.msPerProcess).toBeCloseTo(0.02, 6);
    expect(a.costs.msPerPage).toBeCloseTo(0.004, 6);
  });

  it('follows alike samples instead of keeping a cost fitted before them', () => {
    // A fit that blamed a slow sample on the processes listed would, kept, price every plan out
    // of the budget; samples that all read the same processes must bring it back to what they cost.
    const stale = { msPerProcess: 50, msPerPage: 1e-6 };
    const alike = Array.from({ length: 5 }, (_, i) => ({
      atMs: i * 200,
      cpuMs: 2,
      processes: 7,
      scanned: 1,
      scannedPages: 64,
    }));
    const costs = fitCosts(alike, stale);
    const predicted = 7 * costs.msPerProcess + (64 + SCAN_OVERHEAD_PAGES) * costs.msPerPage;
    expect(predicted).toBeCloseTo(2, 6);
    expect(costs.msPerProcess / costs.msPerPage).toBeCloseTo(
      INITIAL_COSTS.msPerProcess / INITIAL_COSTS.msPerPage,
      6,
    );
  });

  it('reports the average CPU fraction over the recent readings', () => {
    let a = newBudgetAccount();
    let readings: ReturnType<typeof addReading> = [];
    for (let i = 0; i <= 10; i++) {
      const sample = { atMs: i * 2000, cpuMs: 100, processes: 1, scanned: 1, scannedPages: 0 };
      a = spendCredit(a, sample);
      readings = addReading(readings, { atMs: i * 2000, cpuMs: i * 100 });
    }
    expect(cpuShare(readings)).toBeCloseTo(0.05);
    const late = { atMs: 10 * 2000 + AVERAGE_WINDOW_MS, cpuMs: 0, processes: 1, scanned: 0 };
    expect(spendCredit(a, { ...late, scannedPages: 0 }).recent).toHaveLength(1);
    // A reading a window later: the average is over the last window, from the reading before it.
    const later = addReading(readings, { atMs: late.atMs, cpuMs: 10 * 100 + 300 });
    expect(later).toHaveLength(2);
    expect(cpuShare(later)).toBeCloseTo(300 / AVERAGE_WINDOW_MS);
    expect(cpuShare(later.slice(0, 1))).toBeUndefined();
  });
});

/** Process `pid` read from status alone (as the sampler returns it). */
function statusOnly(p: ProcessSample, rssBytes: number): ProcessSample {
  const { mappings: _m, pages: _p, ...rest } = p;
  const memory = { rssBytes, anonBytes: rssBytes, fileBytes: 0, shmemBytes: 0, swapBytes: 0 };
  return { ...rest, totals: statusCounters(memory), scannedAtMs: NaN };
}

describe('rows a sample did not read', () => {
  it('keep their last read with its time, and take RSS from now', () => {
    const t0 = Date.UTC(2026, 0, 1);
    const before = snapshot(
      [proc(1, counters({ uss: 100, rss: 400 })), proc(2, counters({ uss: 7 }))],
      {
        timeMs: t0,
      },
    );
    const now = snapshot([statusOnly(before.processes[0]!, 512 * 1024), before.processes[1]!], {
      timeMs: t0 + 2000,
    });
    const merged = carryScans(now, before);
    const [p1, p2] = merged.processes;
    expect(p1!.scannedAtMs).toBe(t0);
    expect(p1!.totals.ussBytes).toBe(100 * 1024);
    expect(p1!.totals.rssBytes).toBe(512 * 1024);
    expect(p2!.scannedAtMs).toBeUndefined();
    // Carried again, a row keeps the time of its read, not of the sample it came through.
    const later = snapshot([statusOnly(p1!, 600 * 1024), p2!], { timeMs: t0 + 4000 });
    expect(carryScans(later, merged).processes[0]!.scannedAtMs).toBe(t0);
    expect(now.processes[0]!.scannedAtMs).toBeNaN(); // inputs untouched
  });

  it('stay unknown when never read', () => {
    const now = snapshot([statusOnly(proc(3, counters({ uss: 1 })), 4096)]);
    const p = carryScans(now, undefined).processes[0]!;
    expect(p.scannedAtMs).toBeNaN();
    expect(p.totals.ussBytes).toBeNaN();
    expect(p.totals.rssBytes).toBe(4096);
  });

  it('report no page changes, and a fresh read compares with the last over the time between', () => {
    const t0 = forkFamily(0);
    const t1 = forkFamily(1);
    const second = { ...t1, timeMs: t0.timeMs + 2000 };
    // The second sample read only the parent; the children are carried over.
    const partial = carryScans(
      {
        ...second,
        processes: second.processes.map((p, i) => (i === 0 ? p : statusOnly(p, p.totals.rssBytes))),
      },
      t0,
    );
    const changes = diffSnapshots(t0, partial);
    expect([...changes.processes.keys()]).toEqual([
      `${t1.processes[0]!.pid}:${t1.processes[0]!.startTime}`,
    ]);
    // The third reads a child last read in the first: 4 s between its two reads.
    const third = { ...t1, timeMs: t0.timeMs + 4000 };
    const c = diffSnapshots(partial, third);
    const child = third.processes[1]!;
    const own = c.processes.get(`${child.pid}:${child.startTime}`)!;
    expect(c.intervalMs).toBe(2000);
    expect(own.intervalMs).toBe(4000);
    expect(own.totals.cowBreaks).toBeGreaterThan(0);
  });
});
