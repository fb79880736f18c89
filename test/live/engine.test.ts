// The sampler's shortcuts against the long way round, on the live kernel: processes whose pages
// are not kept are counted from compact rows, with kpagecount skipped for exclusive pages and
// kpageflags inferred for anonymous ones; the counters must be those of the kept path, which
// looks every page up, and those of smaps_rollup.
import { closeSync, openSync, readSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyPage } from '../../src/model/page-grid.js';
import {
  PM_EXCLUSIVE,
  PM_PRESENT,
  isDirtyPage,
  memoryClass,
  pageKind,
} from '../../src/model/page-bits.js';
import { signedMapCount } from '../../src/model/pagemaps.js';
import type { Counters, PageTable, ProcessSample } from '../../src/model/types.js';
import { Sampler } from '../../src/sampler/sampler.js';
import { ROLLUP_FIELDS, asRollup, readRollup } from '../helpers/smaps.js';
import { startFamily, type Family } from './fork-family.js';

let family: Family;
let sampler: Sampler;

beforeAll(async () => {
  family = await startFamily();
  // The sampler runs in this process, which lives while the kernel's figures are read: they
  // count its mappings, so it subtracts none of its own (as with --include-self).
  sampler = Sampler.open({ includeSelf: true });
}, 120_000);

afterAll(async () => {
  sampler?.close();
  await family?.stop();
});

/** memtop's totals and smaps_rollup read right after; a mismatch (the vDSO) is retried. */
function compareWithRollup(pid: number, take: () => Counters) {
  let last = { memtop: {} as Record<string, number>, kernel: {} as Record<string, number> };
  for (let attempt = 0; attempt < 5; attempt++) {
    const memtop = asRollup(take());
    const rollup = readRollup(pid);
    const kernel = Object.fromEntries(ROLLUP_FIELDS.map((f) => [f, rollup[f]!]));
    last = { memtop, kernel };
    if (ROLLUP_FIELDS.every((f) => memtop[f] === kernel[f])) break;
  }
  return last;
}

function familyPids(): number[] {
  return [family.parent.pid, ...family.children, family.other.pid, family.sparse.pid];
}

function byPid(processes: readonly ProcessSample[]): Map<number, ProcessSample> {
  return new Map(processes.map((p) => [p.pid, p]));
}

function mappingCounters(p: ProcessSample): [number, Counters][] {
  return (p.mappings ?? []).map((m) => [m.start, m.counters]);
}

describe('compact rows and skipped lookups (root)', () => {
  it('count every mapping of the workload exactly as the kept page tables do', () => {
    const pids = familyPids();
    // The vDSO's map count moves when any process starts or exits: retry a mismatch.
    let compact = new Map<number, ProcessSample>();
    let kept = new Map<number, ProcessSample>();
    for (let attempt = 0; attempt < 5; attempt++) {
      compact = byPid(sampler.sample({ pids, mappings: true }).processes);
      kept = byPid(sampler.sample({ pids, mappings: true, pages: true }).processes);
      const same = pids.every(
        (pid) =>
          JSON.stringify(mappingCounters(compact.get(pid)!)) ===
          JSON.stringify(mappingCounters(kept.get(pid)!)),
      );
      if (same) break;
    }
    for (const pid of pids) {
      const c = compact.get(pid)!;
      const k = kept.get(pid)!;
      expect(c.pages).toBeUndefined();
      expect(k.pages?.count).toBeGreaterThan(0);
      expect(mappingCounters(c), `pid ${pid}`).toEqual(mappingCounters(k));
      expect(c.totals, `pid ${pid}`).toEqual(k.totals);
    }
  });

  it('give kept exclusive pages, not looked up, the map count kpagecount holds', () => {
    const pids = familyPids();
    const fd = openSync('/proc/kpagecount', 'r');
    const entry = Buffer.alloc(8);
    /** Rows whose map count differs from kpagecount read now, and the exclusive rows seen. */
    const check = (t: PageTable) => {
      let wrong = 0;
      let exclusive = 0;
      for (let r = 0; r < t.count; r++) {
        if (!(t.pagemapBits[r]! & PM_PRESENT) || t.pfn[r] === 0) continue;
        if (t.pagemapBits[r]! & PM_EXCLUSIVE) exclusive++;
        const got = readSync(fd, entry, 0, 8, t.pfn[r]! * 8);
        if ((got === 8 ? entry.readUInt32LE(0) : 0) !== t.mapCount[r]) wrong++;
      }
      return { wrong, exclusive };
    };
    try {
      for (const pid of pids) {
        // The vDSO's map count moves when any process starts or exits: retry a mismatch.
        let result = { wrong: -1, exclusive: 0 };
        for (let attempt = 0; attempt < 5 && result.wrong !== 0; attempt++) {
          const p = sampler.sample({ pids: [pid], pages: true }).processes[0]!;
          result = check(p.pages!);
        }
        expect(result.wrong, `pid ${pid}`).toBe(0);
        expect(result.exclusive, `pid ${pid}`).toBeGreaterThan(0);
      }
    } finally {
      closeSync(fd);
    }
  });

  it('give kept rows with anonymous flags inferred the answers of rows whose flags were read', () => {
    const exact = Sampler.open({ includeSelf: true, inferAnonFlags: false });
    /** What the model and the views read of each kept row. */
    const answers = (p: ProcessSample) => {
      const t = p.pages!;
      const out: string[] = [];
      for (let r = 0; r < t.count; r++) {
        const bits = t.pagemapBits[r]!;
        const flags = t.kpageFlags[r]!;
        const count = t.mapCount[r]!;
        const kind = pageKind(bits, flags, count);
        out.push(
          [
            t.pageIndex[r],
            bits,
            t.pfn[r],
            count,
            kind,
            // Dirtiness and class matter for memory only.
            kind === 0 ? `${isDirtyPage(flags)}/${memoryClass(flags)}` : '',
            classifyPage('pages', t, r),
            signedMapCount('pages', t, r),
          ].join(':'),
        );
      }
      return out;
    };
    try {
      const pids = familyPids();
      let inferred = new Map<number, ProcessSample>();
      let read = new Map<number, ProcessSample>();
      for (let attempt = 0; attempt < 5; attempt++) {
        inferred = byPid(sampler.sample({ pids, mappings: true, pages: true }).processes);
        read = byPid(exact.sample({ pids, mappings: true, pages: true }).processes);
        const same = pids.every(
          (pid) =>
            JSON.stringify(answers(inferred.get(pid)!)) === JSON.stringify(answers(read.get(pid)!)),
        );
        if (same) break;
      }
      expect(exact.lastStats.flagLookups).toBeGreaterThanOrEqual(sampler.lastStats.flagLookups);
      for (const pid of pids) {
        const i = inferred.get(pid)!;
        const r = read.get(pid)!;
        expect(answers(i), `pid ${pid}`).toEqual(answers(r));
        expect(mappingCounters(i), `pid ${pid}`).toEqual(mappingCounters(r));
        expect(i.totals, `pid ${pid}`).toEqual(r.totals);
      }
      // The process in focus keeps every page's own flags.
      const parent = family.parent.pid;
      const focused = sampler.sample({ pids: [parent], focusPid: parent }).processes[0]!;
      const all = exact.sample({ pids: [parent], focusPid: parent }).processes[0]!;
      expect(sampler.lastStats.flagLookups).toBe(exact.lastStats.flagLookups);
      expect(focused.pages!.count).toBe(all.pages!.count);
    } finally {
      exact.close();
    }
  });

  it('count the same with every anonymous page’s flags read, as after MADV_FREE', () => {
    const exact = Sampler.open({ includeSelf: true, inferAnonFlags: false });
    try {
      const pids = familyPids();
      let inferred = new Map<number, ProcessSample>();
      let read = new Map<number, ProcessSample>();
      for (let attempt = 0; attempt < 5; attempt++) {
        inferred = byPid(sampler.sample({ pids, mappings: true }).processes);
        read = byPid(exact.sample({ pids, mappings: true }).processes);
        const same = pids.every(
          (pid) =>
            JSON.stringify(mappingCounters(inferred.get(pid)!)) ===
            JSON.stringify(mappingCounters(read.get(pid)!)),
        );
        if (same) break;
      }
      expect(exact.lastStats.flagLookups).toBeGreaterThan(sampler.lastStats.flagLookups);
      for (const pid of pids) {
        expect(mappingCounters(read.get(pid)!), `pid ${pid}`).toEqual(
          mappingCounters(inferred.get(pid)!),
        );
      }
    } finally {
      exact.close();
    }
  });

  it('equal smaps_rollup in a whole-system sample', () => {
    for (const pid of familyPids()) {
      const { memtop, kernel } = compareWithRollup(pid, () => {
        const p = sampler.sample().processes.find((x) => x.pid === pid);
        if (!p) throw new Error(`process ${pid} missing from the sample`);
        return p.totals;
      });
      expect(memtop, `pid ${pid}`).toEqual(kernel);
    }
  });

  it('count the same when worker threads share the sample', async () => {
    const multi = Sampler.open({ includeSelf: true, threads: 3, parallelMinEntries: 0 });
    try {
      await multi.whenReady();
      const pids = new Set(familyPids());
      const pick = (ps: readonly ProcessSample[]) => byPid(ps.filter((p) => pids.has(p.pid)));
      let threads = 1;
      let one = new Map<number, ProcessSample>();
      let many = new Map<number, ProcessSample>();
      for (let attempt = 0; attempt < 10; attempt++) {
        one = pick(sampler.sample({ mappings: true }).processes);
        many = pick(multi.sample({ mappings: true }).processes);
        threads = Math.max(threads, multi.lastStats.threads);
        const same = [...pids].every(
          (pid) =>
            JSON.stringify(mappingCounters(one.get(pid)!)) ===
            JSON.stringify(mappingCounters(many.get(pid)!)),
        );
        if (same && threads > 1) break;
      }
      expect(threads).toBeGreaterThan(1);
      for (const pid of pids) {
        expect(mappingCounters(many.get(pid)!), `pid ${pid}`).toEqual(
          mappingCounters(one.get(pid)!),
        );
      }
      // Pages shown page by page come out the same too.
      const parent = family.parent.pid;
      const keptOne = sampler.sample({ pids: [parent], focusPid: parent }).processes[0]!;
      const keptMany = multi.sample({ pids: [parent], focusPid: parent }).processes[0]!;
      expect(keptMany.pages).toEqual(keptOne.pages);
    } finally {
      multi.close();
    }
  });
});
