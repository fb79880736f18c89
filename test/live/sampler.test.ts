// The sampler against the live kernel: exact page counts per mapping, and totals equal to the
// kernel's own smaps_rollup, for processes these tests start and then leave quiescent.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Counters, ProcessSample } from '../../src/model/types.js';
import { Sampler } from '../../src/sampler/sampler.js';
import { PAGE_SIZE } from '../helpers/workload.js';
import { ROLLUP_FIELDS, asRollup, readRollup } from '../helpers/smaps.js';
import {
  ANON_PAGES,
  FILE_PAGES,
  FILE_PAGES_OTHER,
  MANY,
  RESERVE_TOUCHED_MIB,
  SHARED_PAGES,
  SHARED_TOUCHED_BY_CHILD0,
  anonCount,
  startFamily,
  type Family,
} from './fork-family.js';

const FULL_PSS = PAGE_SIZE * 4096; // one page in PSS fixed point

/** The counters a mapping must have, given the map count of each of its resident pages. */
export function expectedCounters(
  counts: number[],
  kind: 'anon' | 'shmem' | 'file',
  dirty: boolean,
) {
  const pages = counts.length;
  const single = counts.filter((c) => c === 1).length;
  return {
    rssBytes: pages * PAGE_SIZE,
    pssFixed: counts.reduce((sum, c) => sum + (c >= 2 ? Math.floor(FULL_PSS / c) : FULL_PSS), 0),
    ussBytes: single * PAGE_SIZE,
    sharedBytes: (pages - single) * PAGE_SIZE,
    privateDirtyBytes: dirty ? single * PAGE_SIZE : 0,
    privateCleanBytes: dirty ? 0 : single * PAGE_SIZE,
    sharedDirtyBytes: dirty ? (pages - single) * PAGE_SIZE : 0,
    sharedCleanBytes: dirty ? 0 : (pages - single) * PAGE_SIZE,
    swapBytes: 0,
    anonBytes: kind === 'anon' ? pages * PAGE_SIZE : 0,
    shmemBytes: kind === 'shmem' ? pages * PAGE_SIZE : 0,
    fileBytes: kind === 'file' ? pages * PAGE_SIZE : 0,
    ksmBytes: 0,
  } satisfies Counters;
}

const range = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i));

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

function sampleOne(pid: number): ProcessSample {
  const p = sampler.sample({ pids: [pid], mappings: true }).processes[0];
  if (!p) throw new Error(`process ${pid} missing from the sample`);
  return p;
}

function mappingAt(p: ProcessSample, start: number) {
  const m = p.mappings?.find((x) => x.start === start);
  if (!m) throw new Error(`no mapping at 0x${start.toString(16)} in ${p.pid}`);
  return m.counters;
}

describe('per-mapping page counts on the live kernel (root)', () => {
  it('samples with full privilege', () => {
    expect(sampler.privileged).toBe(true);
    expect(sampleOne(family.parent.pid).access).toBe('pages');
  });

  it('counts a private region forked into children that each wrote a different part (copy-on-write)', () => {
    const who = [-1, 0, 1, 2];
    const pids = [family.parent.pid, ...family.children];
    who.forEach((w, i) => {
      const counts = range(ANON_PAGES, (p) => anonCount(w, p));
      expect(mappingAt(sampleOne(pids[i]!), family.anon), `process ${w}`).toEqual(
        expectedCounters(counts, 'anon', true),
      );
    });
  });

  it('counts a MAP_SHARED anonymous region only where a process touched it', () => {
    const parent = mappingAt(sampleOne(family.parent.pid), family.shared);
    const touched = SHARED_TOUCHED_BY_CHILD0;
    expect(parent).toEqual(
      expectedCounters(
        range(SHARED_PAGES, (p) => (p < touched ? 2 : 1)),
        'shmem',
        true,
      ),
    );
    expect(mappingAt(sampleOne(family.children[0]!), family.shared)).toEqual(
      expectedCounters(
        range(touched, () => 2),
        'shmem',
        true,
      ),
    );
    for (const pid of family.children.slice(1)) {
      expect(mappingAt(sampleOne(pid), family.shared)).toEqual(expectedCounters([], 'shmem', true));
    }
  });

  it('counts a clean file mapped by several processes as shared clean file pages', () => {
    const counts = range(FILE_PAGES, (p) => (p < FILE_PAGES_OTHER ? 3 : 2));
    expect(mappingAt(sampleOne(family.parent.pid), family.file)).toEqual(
      expectedCounters(counts, 'file', false),
    );
    expect(mappingAt(sampleOne(family.children[2]!), family.file)).toEqual(
      expectedCounters(counts, 'file', false),
    );
    expect(mappingAt(sampleOne(family.other.pid), family.otherFile)).toEqual(
      expectedCounters(
        range(FILE_PAGES_OTHER, () => 3),
        'file',
        false,
      ),
    );
    expect(mappingAt(sampleOne(family.children[0]!), family.file)).toEqual(
      expectedCounters([], 'file', false),
    );
  });

  it('counts a region only read (the zero page) as no memory, though pagemap shows it present', () => {
    const pid = family.parent.pid;
    // Row ranges exist where pages are kept: for the process in focus (or with pages: true).
    const p = sampler.sample({ pids: [pid], mappings: true, focusPid: pid }).processes[0]!;
    const m = p.mappings!.find((x) => x.start === family.zero)!;
    expect(m.counters).toEqual(expectedCounters([], 'anon', true));
    expect(m.pageEnd - m.pageBegin).toBe(32); // present in pagemap, kpagecount 0
    expect(mappingAt(sampleOne(pid), family.zero)).toEqual(m.counters);
  });

  it('counts the touched part of a 64 GiB PROT_NONE reservation, and nothing in the rest', () => {
    const p = sampleOne(family.sparse.pid);
    const touched = (RESERVE_TOUCHED_MIB << 20) / PAGE_SIZE;
    expect(mappingAt(p, family.reserve)).toEqual(
      expectedCounters(
        range(touched, () => 1),
        'anon',
        true,
      ),
    );
    const rest = p.mappings!.find((x) => x.start === family.reserve + (RESERVE_TOUCHED_MIB << 20))!;
    expect(rest.perms).toBe('---p');
    expect(rest.end - rest.start).toBeGreaterThanOrEqual(63 * 2 ** 30);
    expect(rest.counters).toEqual(expectedCounters([], 'anon', true));
  });

  it('counts each of 20,000 small mappings', () => {
    const p = sampleOne(family.sparse.pid);
    const byStart = new Map(p.mappings!.map((m) => [m.start, m.counters]));
    const one = expectedCounters([1], 'anon', true);
    let matched = 0;
    for (let i = 0; i < MANY; i++) {
      const c = byStart.get(family.manyFirst + i * family.manyStride);
      if (
        c &&
        c.rssBytes === one.rssBytes &&
        c.ussBytes === one.ussBytes &&
        c.privateDirtyBytes === one.privateDirtyBytes
      )
        matched++;
    }
    expect(matched).toBe(MANY);
    expect(p.mappings!.length).toBeGreaterThan(MANY);
  });
});

/**
 * Compares one process with smaps_rollup read right after the sample. Pages shared with every
 * process (the vDSO) change map count whenever any process starts or exits, so a mismatch is
 * sampled again, a few times, before it counts.
 */
export function compareWithRollup(
  pid: number,
  take: () => Counters,
): { memtop: Record<string, number>; kernel: Record<string, number> } {
  let last = { memtop: {}, kernel: {} } as {
    memtop: Record<string, number>;
    kernel: Record<string, number>;
  };
  for (let attempt = 0; attempt < 5; attempt++) {
    const memtop = asRollup(take());
    const rollup = readRollup(pid);
    const kernel = Object.fromEntries(ROLLUP_FIELDS.map((f) => [f, rollup[f]!]));
    last = { memtop, kernel };
    if (ROLLUP_FIELDS.every((f) => memtop[f] === kernel[f])) break;
  }
  return last;
}

describe('totals equal smaps_rollup exactly (root)', () => {
  it('for every process of the workload', () => {
    const pids = [family.parent.pid, ...family.children, family.other.pid, family.sparse.pid];
    for (const pid of pids) {
      const { memtop, kernel } = compareWithRollup(pid, () => sampleOne(pid).totals);
      expect(memtop, `pid ${pid}`).toEqual(kernel);
    }
  });
});

describe('resident pages of a set of processes, before any sample (root)', () => {
  it('sums each process’s own resident pages, as statm and the sample count them', () => {
    const pids = [family.parent.pid, ...family.children];
    const statm = (pid: number) =>
      Number(readFileSync(`/proc/${pid}/statm`, 'latin1').split(' ')[1]);
    const expected = pids.reduce((sum, pid) => sum + statm(pid), 0);
    expect(sampler.residentPagesOf(pids)).toBe(expected);
    const sampled = sampler.sample({ pids }).processes;
    expect(sampled.reduce((sum, p) => sum + p.totals.rssBytes / PAGE_SIZE, 0)).toBe(expected);
  });

  it('counts nothing for a process that is gone', () => {
    const gone = 2 ** 22 + 1; // above pid_max's largest value
    expect(sampler.residentPagesOf([gone, family.parent.pid])).toBe(
      sampler.residentPagesOf([family.parent.pid]),
    );
  });
});
