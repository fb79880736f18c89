// Pure functions: sizes, sorting with unknown values, the pagemap decoding rules.
import { describe, expect, it } from 'vitest';
import { emptyCounters, pssBytes } from '../../src/model/counters.js';
import { computeSystemTotals } from '../../src/model/snapshot.js';
import { sortProcesses } from '../../src/model/sort.js';
import type { ProcessSample } from '../../src/model/types.js';
import { formatSums } from '../../src/columns/header.js';
import { formatBytes } from '../../src/format/size.js';
import { parseMapsLine, parseStat } from '../../src/sampler/parse-proc.js';

function proc(pid: number, uss: number, comm = `p${pid}`): ProcessSample {
  return {
    pid,
    ppid: 1,
    startTime: pid,
    state: 'S',
    comm,
    cmdline: comm,
    uid: 0,
    user: 'root',
    access: Number.isNaN(uss) ? 'restricted' : 'pages',
    totals: { ...emptyCounters(), ussBytes: uss },
  };
}

describe('formatBytes', () => {
  it.each([
    [0, '0 B'],
    [1023, '1023 B'],
    [1024, '1.00 KiB'],
    [12.5 * 1024 * 1024, '12.5 MiB'],
    [812 * 1024, '812 KiB'],
    [1023.999 * 1024 * 1024, '1.00 GiB'],
    [3 * 2 ** 40, '3.00 TiB'],
    [Number.NaN, '-'],
  ])('%d bytes → %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });

  it('signs changes when asked', () => {
    expect(formatBytes(2048, { signed: true })).toBe('+2.00 KiB');
    expect(formatBytes(-2048, { signed: true })).toBe('-2.00 KiB');
    expect(formatBytes(0, { signed: true })).toBe('0 B');
  });

  it('rejects infinities with a precise message', () => {
    expect(() => formatBytes(Infinity)).toThrow('Expected a finite number of bytes, got Infinity');
  });
});

describe('sortProcesses', () => {
  const list = [proc(3, 10), proc(1, Number.NaN), proc(2, 30), proc(4, 10)];

  it('puts the largest first, unknown (restricted) last, ties by pid', () => {
    expect(sortProcesses(list, 'uss').map((p) => p.pid)).toEqual([2, 3, 4, 1]);
  });

  it('reverses known values but keeps unknown last', () => {
    expect(sortProcesses(list, 'uss', true).map((p) => p.pid)).toEqual([3, 4, 2, 1]);
  });

  it('sorts by pid and name ascending', () => {
    expect(sortProcesses(list, 'pid').map((p) => p.pid)).toEqual([1, 2, 3, 4]);
    const named = [proc(1, 0, 'zsh'), proc(2, 0, 'bash'), proc(3, 0, 'nginx')];
    expect(sortProcesses(named, 'name').map((p) => p.comm)).toEqual(['bash', 'nginx', 'zsh']);
  });

  it('does not mutate its input', () => {
    const before = list.map((p) => p.pid);
    sortProcesses(list, 'uss');
    expect(list.map((p) => p.pid)).toEqual(before);
  });
});

describe('PSS fixed point', () => {
  it('rounds down like the kernel', () => {
    expect(pssBytes({ pssFixed: 4096 * 4096 + 4095 })).toBe(4096);
  });
});

describe('/proc text parsers', () => {
  it('parses stat with a comm that looks like fields', () => {
    const text = '77 (x) R 5 (y)) S 9 77 77 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 12345 0 0\n';
    expect(parseStat(text)).toMatchObject({
      pid: 77,
      comm: 'x) R 5 (y)',
      state: 'S',
      ppid: 9,
      startTime: 12345,
    });
  });

  it('cuts a maps path by column, so leading spaces in a file name survive', () => {
    const head = '00400000-00401000 r--p 00000000 fe:00 5 ';
    expect(parseMapsLine(`${head.padEnd(72)}  odd name`)?.path).toBe(' odd name');
    expect(parseMapsLine(head)?.path).toBe('');
    const long = 'ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 18446744073709551615 ';
    expect(parseMapsLine(`${long} [x]`)?.path).toBe('[x]');
  });
});

describe('system totals', () => {
  it('sum the processes that could be read and count the restricted ones left out', () => {
    const readable = proc(2, 4096);
    readable.totals = { ...readable.totals, rssBytes: 8192, pssFixed: 4096 << 12 };
    const restricted = proc(3, Number.NaN);
    restricted.totals = { ...restricted.totals, rssBytes: 1 << 20 };
    const t = computeSystemTotals([readable, restricted], { MemTotal: 1 << 30 });
    expect([t.rssBytes, pssBytes(t), t.sharingSavesBytes, t.restrictedProcesses]).toEqual([
      8192, 4096, 4096, 1,
    ]);
    expect(formatSums(t)).toBe(
      'Σ RSS 8.00 KiB  Σ PSS 4.00 KiB  sharing saves 4.00 KiB (1 restricted process left out)',
    );
    expect(formatSums({ ...t, restrictedProcesses: 0 })).not.toContain('restricted');
  });
});
