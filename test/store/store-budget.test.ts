// The sampling loop within a CPU budget, on a fake privileged sampler whose samples cost what
// they read: not every process is read each time, every one in turn, the rows on screen more
// often, and the average stays within the budget.
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

/** A privileged fake: reads processes from status alone when asked, and reports CPU time. */
function budgetSource(): { reads: number[][]; listPids(): number[] } & SampleSource {
  const reads: number[][] = [];
  return {
    privileged: true,
    reads,
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
      return snapshot(processes, {
        timeMs: Date.now(),
        costMs: read.length * MS_PER_READ,
        cpuMs: read.length * MS_PER_READ + 0.01 * pids.length,
      });
    },
  };
}

let session: SampleStore | undefined;
afterEach(() => session?.stop());

describe('sampling session within a CPU budget', () => {
  it('reads some processes each time, all in turn, rows on screen more often, within the budget', async () => {
    const source = budgetSource();
    // 10% of 20 ms: about one 4 ms read every other interval, on average.
    session = new SampleStore(source, { intervalMs: 20, budgetPercent: 10 });
    session.send({ type: 'rows', pids: [1, 2] });
    const started = performance.now();
    void session.run();
    const readSince = (pid: number) => source.reads.slice(1).some((r) => r.includes(pid));
    await vi.waitFor(() => expect(source.listPids().every(readSince)).toBe(true), {
      timeout: 20_000,
    });
    const elapsedMs = performance.now() - started;
    session.stop();
    const [first, ...rest] = source.reads;
    expect(first).toHaveLength(PROCESSES); // the first sample reads everything
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
  });

  it('reads every process each time without a budget', async () => {
    const source = budgetSource();
    session = new SampleStore(source, { intervalMs: 5 });
    void session.run();
    await vi.waitFor(() => expect(source.reads.length).toBeGreaterThanOrEqual(4));
    session.stop();
    for (const r of source.reads) expect(r).toHaveLength(PROCESSES);
    expect(session.current().cost?.budgetPercent).toBeUndefined();
  });
});
