// The store's loop within a CPU budget, on a fake privileged sampler whose samples cost what
// they read (on a fake CPU clock the store charges): not every process is read each time,
// every one in turn, the rows on screen more often, and the average stays within the budget.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { SampleSource } from '../../src/store/source.js';
import { SampleStore } from '../../src/store/store.js';
import { statusCounters } from '../../src/model/snapshot.js';
import type { SampleRequest } from '../../src/sampler/sampler.js';
import { counters, proc, snapshot } from '../helpers/synthetic.js';

const PROCESSES = 12;
/** Each process holds 4 MiB; reading its pages "costs" 4 ms of CPU. */
const RSS_KIB = 4096;
const MS_PER_READ = 4;
/** What drawing a frame costs in the test where a consumer works too. */
const DRAW_MS = 5;

/**
 * A privileged fake: reads processes from status alone when asked, and reports CPU time; what
 * its samples cost is memtop's CPU time on the clock `cpuMs` (the store's charge).
 */
function budgetSource(): {
  reads: number[][];
  cpuMs(): number;
  /** Work other than sampling, on the same clock. */
  spend(ms: number): void;
  listPids(): number[];
} & SampleSource {
  const reads: number[][] = [];
  let spentMs = 0;
  return {
    privileged: true,
    reads,
    cpuMs: () => spentMs,
    spend: (ms) => {
      spentMs += ms;
    },
    listPids: () => Array.from({ length: PROCESSES }, (_, i) => i + 1),
    sample(request: SampleRequest) {
      const skip = new Set(request.statusOnlyPids);
      const pids = request.pids ?? [];
      const processes = pids.map((pid) => {
        const p = proc(pid, counters({ uss: RSS_KIB }));
        if (!skip.has(pid)) return p;
        const memory = {
          rssBytes: RSS_KIB * 1024,
          anonBytes: RSS_KIB * 1024,
          fileBytes: 0,
          shmemBytes: 0,
          swapBytes: 0,
        };
        return { ...p, totals: statusCounters(memory), scannedAtMs: NaN };
      });
      const read = pids.filter((pid) => !skip.has(pid));
      reads.push(read);
      const cpuMs = read.length * MS_PER_READ + 0.01 * pids.length;
      spentMs += cpuMs;
      return snapshot(processes, { timeMs: Date.now(), costMs: read.length * MS_PER_READ, cpuMs });
    },
  };
}

let session: SampleStore | undefined;
afterEach(() => session?.stop());

describe('sampling session within a CPU budget', () => {
  it('reads some processes each time, all in turn, rows on screen more often, within the budget', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'Date'] });
    try {
      const source = budgetSource();
      // 10% of 20 ms: about one 4 ms read every other interval, on average.
      session = new SampleStore(source, {
        intervalMs: 20,
        budgetPercent: 10,
        now: () => Date.now(),
        cpuMs: source.cpuMs,
      });
      session.send({ type: 'rows', pids: [1, 2] });
      const started = Date.now();
      void session.run();
      const readSince = (pid: number) => source.reads.slice(1).some((r) => r.includes(pid));
      while (!source.listPids().every(readSince) && Date.now() - started < 20_000)
        await vi.advanceTimersByTimeAsync(20);
      const elapsedMs = Date.now() - started;
      session.stop();
      const [first, ...rest] = source.reads;
      expect(first).toHaveLength(PROCESSES); // the first sample reads everything
      expect(source.listPids().every(readSince)).toBe(true);
      expect(Math.max(...rest.map((r) => r.length))).toBeLessThan(PROCESSES);
      const readsOf = (pid: number) => rest.filter((r) => r.includes(pid)).length;
      for (let pid = 1; pid <= PROCESSES; pid++) expect(readsOf(pid)).toBeGreaterThan(0);
      expect(readsOf(1)).toBeGreaterThan(readsOf(PROCESSES));
      // The fake CPU time of all samples, first included, against the wall time.
      const cpuMs = source.reads.reduce((sum, r) => sum + r.length * MS_PER_READ + 0.12, 0);
      expect(cpuMs / elapsedMs).toBeLessThan(0.1 * 1.25 + (PROCESSES * MS_PER_READ) / elapsedMs);
      const update = session.current();
      expect(update.cost?.budgetPercent).toBe(10);
      const ages = update.snapshot!.processes.map((p) => p.scannedAtMs);
      expect(ages.some((t) => t !== undefined)).toBe(true);
    } finally {
      session?.stop();
      vi.useRealTimers();
    }
  });

  it('charges all of memtop’s CPU, what its consumers spend included, and shows that share', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'Date'] });
    try {
      const source = budgetSource();
      // 10% of 100 ms: 10 ms a cycle, of which drawing each frame takes 5 ms.
      const store = new SampleStore(source, {
        intervalMs: 100,
        budgetPercent: 10,
        now: () => Date.now(),
        cpuMs: source.cpuMs,
      });
      session = store;
      const frames: { atMs: number; cpuMs: number; averagePercent: number | undefined }[] = [];
      store.subscribe((u) => {
        frames.push({
          atMs: Date.now(),
          cpuMs: source.cpuMs(),
          averagePercent: u.cost?.averagePercent,
        });
        source.spend(DRAW_MS); // a consumer's work, on memtop's CPU like any other
      });
      void store.run();
      await vi.advanceTimersByTimeAsync(20_000);
      store.stop();
      expect(frames.length).toBeGreaterThan(150);
      // Each figure shown is memtop's CPU since the first sample ended, over the time since.
      const [first, ...later] = frames;
      expect(first!.averagePercent).toBeUndefined();
      for (const f of later) {
        const share = (100 * (f.cpuMs - first!.cpuMs)) / (f.atMs - first!.atMs);
        expect(f.averagePercent).toBeCloseTo(share, 6);
      }
      // Drawing takes half the budget: the reads keep to the other half, and all of it to 10%.
      const last = frames.at(-1)!;
      const settled = frames[Math.floor(frames.length / 2)]!;
      const percent = (100 * (last.cpuMs - settled.cpuMs)) / (last.atMs - settled.atMs);
      expect(percent).toBeLessThan(10 * 1.1);
      expect(percent).toBeGreaterThan(10 * 0.7);
      const reads = source.reads.slice(1).reduce((sum, r) => sum + r.length, 0);
      expect((reads * MS_PER_READ) / (frames.length - 1)).toBeLessThan(5 * 1.2);
    } finally {
      session?.stop();
      vi.useRealTimers();
    }
  });

  it('reads every process each time without a budget', async () => {
    const source = budgetSource();
    session = new SampleStore(source, { intervalMs: 5, cpuMs: source.cpuMs });
    void session.run();
    await vi.waitFor(() => expect(source.reads.length).toBeGreaterThanOrEqual(4));
    session.stop();
    for (const r of source.reads) expect(r).toHaveLength(PROCESSES);
    expect(session.current().cost?.budgetPercent).toBeUndefined();
  });
});
