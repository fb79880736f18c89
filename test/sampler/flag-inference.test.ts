// When anonymous pages' flags may be inferred: one value a sample from what the host can have,
// and per process what only it can have (hugetlb pages, a mergeable area where KSM may merge).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  processInference,
  readFlagInference,
  type FlagInference,
} from '../../src/sampler/flag-inference.js';

const root = mkdtempSync(join(tmpdir(), 'memtop-inference-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A /proc/PID-like directory whose ksm_stat says ksm_mergeable `mergeable` (none: no file). */
function processDir(name: string, mergeable?: 'yes' | 'no'): string {
  const dir = join(root, name);
  mkdirSync(dir);
  if (mergeable) {
    writeFileSync(
      join(dir, 'ksm_stat'),
      `ksm_rmap_items 0\nksm_merging_pages 0\nksm_merge_any: no\nksm_mergeable: ${mergeable}\n`,
    );
  }
  return dir;
}

const STATUS = 'Name:\tx\nVmRSS:\t    1024 kB\nHugetlbPages:\t       0 kB\n';
const HUGETLB = 'Name:\tx\nVmRSS:\t    1024 kB\nHugetlbPages:\t    2048 kB\n';
const ALL: FlagInference = { hasNoLazyFree: true, hasNoKsm: true, hasNoLargeAnon: true };
const KSM_ON: FlagInference = { ...ALL, hasNoKsm: false };

describe('processInference', () => {
  const plain = processDir('plain', 'no');
  const merging = processDir('merging', 'yes');
  const older = processDir('older-kernel');

  it('infers where nothing on the host or in the process stands against it', () => {
    expect(processInference(ALL, STATUS, merging, false)).toEqual({
      inferAnon: true,
      keptInferAnon: true,
    });
  });

  it('reads the flags of a process that may hold KSM pages while KSM may merge', () => {
    expect(processInference(KSM_ON, STATUS, merging, false).inferAnon).toBe(false);
    // ksm_stat without ksm_mergeable (before Linux 6.10), or none: it may.
    expect(processInference(KSM_ON, STATUS, older, false).inferAnon).toBe(false);
    // No mergeable area: no KSM page.
    expect(processInference(KSM_ON, STATUS, plain, false)).toEqual({
      inferAnon: true,
      keptInferAnon: true,
    });
  });

  it('reads them with hugetlb pages, after MADV_FREE, and in kept rows of the focus or of large folios', () => {
    expect(processInference(ALL, HUGETLB, plain, false).inferAnon).toBe(false);
    expect(processInference({ ...ALL, hasNoLazyFree: false }, STATUS, plain, false)).toEqual({
      inferAnon: false,
      keptInferAnon: false,
    });
    expect(processInference(ALL, STATUS, plain, true)).toEqual({
      inferAnon: true,
      keptInferAnon: false,
    });
    expect(processInference({ ...ALL, hasNoLargeAnon: false }, STATUS, plain, false)).toEqual({
      inferAnon: true,
      keptInferAnon: false,
    });
  });
});

describe('readFlagInference', () => {
  const vmstat = (lazy: number) => `nr_anon_transparent_hugepages 0\npglazyfree ${lazy}\n`;

  it('infers nothing when told not to, or once a page was made lazily freeable', () => {
    const off = { hasNoLazyFree: false, hasNoKsm: false, hasNoLargeAnon: false };
    expect(
      readFlagInference({ isAllowed: false, isLive: true, vmstat: vmstat(0), wantsKept: true }),
    ).toEqual(off);
    expect(
      readFlagInference({ isAllowed: true, isLive: true, vmstat: vmstat(3), wantsKept: true }),
    ).toEqual(off);
    expect(
      readFlagInference({ isAllowed: true, isLive: true, vmstat: '', wantsKept: true }),
    ).toEqual(off);
  });

  it('knows nothing of KSM or large folios for a tree other than the live /proc', () => {
    expect(
      readFlagInference({ isAllowed: true, isLive: false, vmstat: vmstat(0), wantsKept: true }),
    ).toEqual({ hasNoLazyFree: true, hasNoKsm: false, hasNoLargeAnon: false });
  });
});
