// The ksm counter on the live kernel: two processes map alike pages with MADV_MERGEABLE and
// KSM merges them. memtop's ksm per process must equal /proc/PID/ksm_merging_pages × page size,
// and per mapping the merged region's pages, in snapshot --json and --csv, on the page engine's
// compact, kept and worker-thread paths, and without PFNs (smaps' KSM: line). A merged page left
// with one mapping is exclusive in pagemap (bit 56), where anonymous pages' flags would be
// inferred: it must still count. KSM's settings are put back as they were.
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { KPF_KSM, PM_EXCLUSIVE } from '../../src/model/page-bits.js';
import type { ProcessSample } from '../../src/model/types.js';
import { processInference, readFlagInference } from '../../src/sampler/flag-inference.js';
import { Sampler } from '../../src/sampler/sampler.js';
import { runCli, runJson, type ProcessJson } from '../helpers/cli.js';
import { ksmMergingPages, ksmSettings, requireKsm, runKsm } from '../helpers/ksm.js';
import { PAGE_SIZE, Workload, stopAllWorkloads } from '../helpers/workload.js';

/** Mergeable pages in each process: page i of one is alike page i of the other. */
const PAGES = 64;
const PLAIN_PAGES = 16;
const hex = (n: number) => `0x${n.toString(16)}`;

let settingsBefore: Record<string, string> | undefined;
let restoreKsm: (() => void) | undefined;
let a: Workload;
let b: Workload;
let mergeableA: number;
let mergeableB: number;
let plainA: number;

beforeAll(async () => {
  requireKsm();
  settingsBefore = ksmSettings();
  a = await Workload.start();
  b = await Workload.start();
  mergeableA = await a.mergeable(PAGES);
  mergeableB = await b.mergeable(PAGES);
  plainA = await a.anon(PLAIN_PAGES);
  restoreKsm = runKsm();
  await vi.waitFor(
    () => {
      expect(ksmMergingPages(a.pid)).toBe(PAGES);
      expect(ksmMergingPages(b.pid)).toBe(PAGES);
    },
    { timeout: 30_000, interval: 50 },
  );
}, 60_000);

afterAll(async () => {
  try {
    await stopAllWorkloads();
  } finally {
    restoreKsm?.();
  }
  if (settingsBefore) expect(ksmSettings()).toEqual(settingsBefore);
});

/**
 * `take()` run while ksm_merging_pages of the processes stays put (read before and after, up to
 * 10 times): its result and the merged pages of each process then.
 */
function whileStable<T>(pids: number[], take: () => T): { result: T; merged: number[] } {
  for (let attempt = 0; attempt < 10; attempt++) {
    const before = pids.map(ksmMergingPages);
    const result = take();
    const after = pids.map(ksmMergingPages);
    if (before.every((n, i) => n === after[i])) return { result, merged: before };
  }
  throw new Error(`ksm_merging_pages of ${pids.join(', ')} kept changing`);
}

function processOf(processes: readonly ProcessJson[], pid: number): ProcessJson {
  const p = processes.find((x) => x.pid === pid);
  if (!p) throw new Error(`pid ${pid} not in the snapshot`);
  return p;
}

/** The mapping starting at `start`: JSON or a sample's. */
function mappingAt<M extends { start: string | number }>(
  mappings: readonly M[] | undefined,
  start: number,
): M {
  const m = mappings?.find((x) => x.start === start || x.start === hex(start));
  if (!m) throw new Error(`no mapping at ${hex(start)}`);
  return m;
}

/** The CSV's rows as records by column name. */
function csvRecords(text: string): Record<string, string>[] {
  const [head, ...rows] = text.trimEnd().split('\n');
  const names = head!.split(',');
  // The cells compared here (numbers, hex addresses) never hold a comma.
  return rows.map((row) => Object.fromEntries(row.split(',').map((cell, i) => [names[i]!, cell])));
}

/** pagemap entries of pages [0, n) of a region, as the bits memtop keeps (55..63 shifted down). */
function pagemapBits(pid: number, start: number, n: number): number[] {
  const fd = openSync(`/proc/${pid}/pagemap`, 'r');
  try {
    const buf = Buffer.alloc(n * 8);
    readSync(fd, buf, 0, buf.length, (start / PAGE_SIZE) * 8);
    return Array.from({ length: n }, (_, i) => Number(buf.readBigUInt64LE(i * 8) >> 55n));
  } finally {
    closeSync(fd);
  }
}

describe('ksm', () => {
  it('snapshot --json: per process ksm_merging_pages × page size, per mapping the merged pages', () => {
    const pids = [a.pid, b.pid];
    const { result: snap, merged } = whileStable(pids, () =>
      runJson(['-p', pids.join(','), '--mappings']),
    );
    expect(merged).toEqual([PAGES, PAGES]);
    pids.forEach((pid, i) => {
      const p = processOf(snap.processes, pid);
      expect(p.access).toBe('pages');
      expect(p.ksm, `pid ${pid}`).toBe(merged[i]! * PAGE_SIZE);
    });
    const pa = processOf(snap.processes, a.pid);
    const pb = processOf(snap.processes, b.pid);
    expect(mappingAt(pa.mappings, mergeableA).ksm).toBe(PAGES * PAGE_SIZE);
    expect(mappingAt(pb.mappings, mergeableB).ksm).toBe(PAGES * PAGE_SIZE);
    expect(mappingAt(pa.mappings, plainA).ksm).toBe(0);
    // Each merged page is mapped once in either process: shared, not unique to one.
    expect(mappingAt(pa.mappings, mergeableA).shared).toBe(PAGES * PAGE_SIZE);
  });

  it('snapshot --csv: the ksm column, per process and per mapping', () => {
    const pids = [a.pid, b.pid];
    const csv = (mappings: boolean) => {
      const cli = runCli(['snapshot', '--csv', '-p', pids.join(','), ...(mappings ? ['-m'] : [])]);
      expect(cli.stderr).toBe('');
      expect(cli.status).toBe(0);
      return csvRecords(cli.stdout);
    };
    const { result: rows, merged } = whileStable(pids, () => csv(false));
    pids.forEach((pid, i) => {
      const row = rows.find((r) => r['pid'] === String(pid));
      expect(row?.['ksm'], `pid ${pid}`).toBe(String(merged[i]! * PAGE_SIZE));
    });
    const perMapping = csv(true);
    const at = (pid: number, start: number) =>
      perMapping.find((r) => r['pid'] === String(pid) && r['start'] === hex(start))?.['ksm'];
    expect(at(a.pid, mergeableA)).toBe(String(PAGES * PAGE_SIZE));
    expect(at(b.pid, mergeableB)).toBe(String(PAGES * PAGE_SIZE));
    expect(at(a.pid, plainA)).toBe('0');
  });

  it('the page engine counts ksm in compact rows, on worker threads and in kept rows', async () => {
    const multi = Sampler.open({ threads: 3, parallelMinEntries: 0 });
    try {
      await multi.whenReady();
      const pids = [a.pid, b.pid];
      let threads = 1;
      let sample: ProcessSample[] = [];
      let merged: number[] = [];
      for (let attempt = 0; attempt < 10 && threads < 2; attempt++) {
        // Every process, so that the sample is split among the threads.
        ({ result: sample, merged } = whileStable(
          pids,
          () => multi.sample({ mappings: true }).processes,
        ));
        threads = Math.max(threads, multi.lastStats.threads);
      }
      expect(threads).toBeGreaterThan(1);
      pids.forEach((pid, i) => {
        const p = sample.find((x) => x.pid === pid)!;
        expect(p.totals.ksmBytes, `pid ${pid}`).toBe(merged[i]! * PAGE_SIZE);
      });
      expect(
        mappingAt(sample.find((x) => x.pid === a.pid)!.mappings, mergeableA).counters.ksmBytes,
      ).toBe(PAGES * PAGE_SIZE);
      // Kept rows: the page table of the process in focus, with each page's flags.
      const kept = multi.sample({ pids: [a.pid], focusPid: a.pid }).processes[0]!;
      const region = mappingAt(kept.mappings, mergeableA);
      expect(region.counters.ksmBytes).toBe(PAGES * PAGE_SIZE);
      const flags = kept.pages!.kpageFlags.subarray(region.pageBegin, region.pageEnd);
      expect(Array.from(flags, (f) => (f & KPF_KSM) !== 0)).toEqual(Array(PAGES).fill(true));
    } finally {
      multi.close();
    }
  });

  it('while KSM runs, flags are read for the processes that may merge, inferred for the rest', () => {
    const vmstat = readFileSync('/proc/vmstat', 'utf8');
    const inference = readFlagInference({
      isAllowed: true,
      isLive: true,
      vmstat,
      wantsKept: false,
    });
    expect(inference.hasNoKsm).toBe(false);
    const of = (pid: number) =>
      processInference(
        inference,
        readFileSync(`/proc/${pid}/status`, 'utf8'),
        `/proc/${pid}`,
        false,
      );
    expect(of(a.pid).inferAnon).toBe(false);
    // This process has no mergeable area (and no hugetlb page): only MADV_FREE decides.
    expect(readFileSync('/proc/self/ksm_stat', 'utf8')).toMatch(/^ksm_mergeable: no$/m);
    expect(of(process.pid).inferAnon).toBe(inference.hasNoLazyFree);
  });

  it("without PFNs: ksm from smaps' KSM: line", () => {
    const pids = [a.pid, b.pid];
    const { result: cli, merged } = whileStable(pids, () =>
      runCli(['--unprivileged', 'snapshot', '--json', '-p', pids.join(','), '--mappings']),
    );
    expect(cli.status).toBe(0);
    const snap = JSON.parse(cli.stdout) as { processes: ProcessJson[] };
    pids.forEach((pid, i) => {
      const p = processOf(snap.processes, pid);
      expect(p.access).toBe('flags');
      expect(p.ksm, `pid ${pid}`).toBe(merged[i]! * PAGE_SIZE);
    });
    expect(mappingAt(processOf(snap.processes, a.pid).mappings, mergeableA).ksm).toBe(
      PAGES * PAGE_SIZE,
    );
  });

  it('counts a merged page left with one mapping, which pagemap marks exclusive', async () => {
    await b.stop();
    // Its other mapping gone, each merged page of a is mapped once: pagemap bit 56, the case
    // whose flags are inferred for plain anonymous pages.
    await vi.waitFor(() => {
      const bits = pagemapBits(a.pid, mergeableA, PAGES);
      expect(bits.every((x) => (x & PM_EXCLUSIVE) !== 0)).toBe(true);
    });
    const { result: snap, merged } = whileStable([a.pid], () =>
      runJson(['-p', String(a.pid), '--mappings']),
    );
    // KSM keeps a page merged when one mapping is left.
    expect(merged).toEqual([PAGES]);
    const p = processOf(snap.processes, a.pid);
    expect(p.ksm).toBe(PAGES * PAGE_SIZE);
    expect(mappingAt(p.mappings, mergeableA).ksm).toBe(PAGES * PAGE_SIZE);
    expect(mappingAt(p.mappings, mergeableA).uss).toBe(PAGES * PAGE_SIZE);
  });
});
