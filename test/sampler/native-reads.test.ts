// The native module's batched pread (readRuns), on a file of known entries: runs one after
// another, zeros past the end of the file, and -EINVAL for what does not fit.
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadReadRuns } from '../../src/sampler/pagemap-scan.js';

const readRuns = loadReadRuns();
const EINVAL = 22;
let dir: string;
let fd: number;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'memtop-runs-'));
  // Ten 8-byte entries: entry i holds 100 + i in its low word, 7 in its high word.
  const words = new Uint32Array(20);
  for (let i = 0; i < 10; i++) words.set([100 + i, 7], 2 * i);
  writeFileSync(join(dir, 'entries'), words);
  fd = openSync(join(dir, 'entries'), 'r');
});

afterAll(() => {
  closeSync(fd);
  rmSync(dir, { recursive: true, force: true });
});

// Without the module (no compiler at npm ci) these are skipped; test/live/scan.test.ts then says
// so loudly, and fails where a compiler exists.
describe.skipIf(!readRuns)('readRuns (native module)', () => {
  it('reads runs one after another, and zeros past the end of the file', () => {
    const out = new Uint8Array(8 * 8);
    out.fill(0xff);
    const runs = new Float64Array([2, 3, -1, 8, 4, -1, 0, 1, -1]);
    expect(readRuns!(fd, runs, 3, out)).toBe(8);
    const words = new Uint32Array(out.buffer);
    const low = Array.from({ length: 8 }, (_, i) => words[2 * i]);
    const high = Array.from({ length: 8 }, (_, i) => words[2 * i + 1]);
    expect(low).toEqual([102, 103, 104, 108, 109, 0, 0, 100]);
    expect(high).toEqual([7, 7, 7, 7, 7, 0, 0, 7]);
  });

  it('reads only the runs it is told to, and refuses what does not fit', () => {
    const out = new Uint8Array(16);
    expect(readRuns!(fd, new Float64Array([0, 2, 0, 5, 1, 0]), 1, out)).toBe(2);
    expect(readRuns!(fd, new Float64Array([0, 3, 0]), 1, out)).toBe(-EINVAL);
    expect(readRuns!(fd, new Float64Array([0, 1, 0]), 2, out)).toBe(-EINVAL);
    expect(readRuns!(fd, new Float64Array([-1, 1, 0]), 1, out)).toBe(-EINVAL);
    expect(readRuns!(fd, new Float64Array([Number.NaN, 1, 0]), 1, out)).toBe(-EINVAL);
    expect(readRuns!(fd, new Float64Array([0, Number.NaN, 0]), 1, out)).toBe(-EINVAL);
    expect(readRuns!(fd, new Float64Array([0.5, 1, 0]), 1, out)).toBe(-EINVAL);
    expect(readRuns!(fd, new Float64Array([0, 2 ** 62, 0]), 1, out)).toBe(-EINVAL);
    expect(readRuns!(fd, new Float64Array([2 ** 60, 1, 0]), 1, out)).toBe(-EINVAL);
    expect(readRuns!(-1, new Float64Array([0, 1, 0]), 1, out)).toBe(-9); // EBADF
  });
});
