// Property-based tests of the /proc parsers: whatever text they get (random characters, random
// bytes, real /proc files of this process cut and mutated), no exception escapes, and what they
// return is what the kernel could have written: finite numbers or unknown, ranges in user space.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  isMapsLine,
  isMappingRange,
  parseAuxvPageSize,
  parseCmdline,
  parseMaps,
  parseMapsLine,
  parseMapsRanges,
  parseMeminfo,
  parsePasswd,
  parseSmaps,
  parseStat,
  parseStatmResidentPages,
  parseStatusKb,
  parseStatusNumber,
  parseStatusUid,
} from '../../src/sampler/parse-proc.js';
import type { MapsEntry } from '../../src/model/types.js';

/** Runs per property: the whole file takes a few seconds. */
const RUNS = Number(process.env.FUZZ_RUNS ?? 300);

const read = (name: string) => readFileSync(`/proc/self/${name}`, 'latin1');
/** Real text of this process, as seeds to mutate. */
const SEEDS = {
  stat: read('stat'),
  status: read('status'),
  statm: read('statm'),
  cmdline: read('cmdline'),
  maps: read('maps'),
  smaps: read('smaps'),
  smaps_rollup: read('smaps_rollup'),
  meminfo: readFileSync('/proc/meminfo', 'latin1'),
};
const AUXV_SEED = readFileSync('/proc/self/auxv');

/** Text as /proc gives it to the parsers: bytes decoded one to a character. */
const bytesText = fc
  .uint8Array({ maxLength: 512 })
  .map((bytes) => Buffer.from(bytes).toString('latin1'));
/** Text built of the characters /proc files are made of, so that it comes near to parsing. */
const procAlphabet = fc.constantFrom(
  ...'0123456789abcdefx-:() \t\n\0kBrwps/[]-'.split(''),
  'Uid:',
  'Tgid:',
  'VmRSS:',
  ' kB\n',
  '\n',
  'ffffffffffffffff',
  '99999999999999999999999',
);
const procText = fc.array(procAlphabet, { maxLength: 200 }).map((parts) => parts.join(''));
const anyText = fc.oneof(fc.string({ maxLength: 300, unit: 'binary' }), bytesText, procText);

/** Edits of a seed: cut a window of it, then insert, delete or repeat pieces of it. */
const edit = fc.oneof(
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: anyText }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.nat(64) }),
  fc.record({ kind: fc.constant('repeat' as const), at: fc.nat(), length: fc.nat(200) }),
  fc.record({
    kind: fc.constant('digits' as const),
    at: fc.nat(),
    length: fc.integer({ min: 1, max: 45 }),
  }),
);
type Edit = typeof edit extends fc.Arbitrary<infer T> ? T : never;

function mutate(seed: string, window: { from: number; length: number }, edits: Edit[]): string {
  const from = seed.length ? window.from % seed.length : 0;
  let text = seed.slice(from, from + window.length);
  for (const e of edits) {
    const at = text.length ? e.at % (text.length + 1) : 0;
    if (e.kind === 'insert') text = text.slice(0, at) + e.text + text.slice(at);
    else if (e.kind === 'delete') text = text.slice(0, at) + text.slice(at + e.length);
    else if (e.kind === 'repeat') text = text.slice(0, at + e.length) + text.slice(at);
    else text = text.slice(0, at) + '9'.repeat(e.length) + text.slice(at);
  }
  return text;
}

/** A real file of this process, cut and mutated. */
function mutated(seed: string): fc.Arbitrary<string> {
  return fc
    .tuple(
      fc.record({ from: fc.nat(), length: fc.integer({ min: 0, max: 8192 }) }),
      fc.array(edit, { maxLength: 6 }),
    )
    .map(([window, edits]) => mutate(seed, window, edits));
}

/** Random text, or a mutated seed of the file a parser reads. */
const input = (seed: string) => fc.oneof(anyText, mutated(seed), fc.constant(seed));

const isCount = (n: unknown) => typeof n === 'number' && Number.isFinite(n) && n >= 0;
const isCountOrUnknown = (n: unknown) => n === undefined || n === null || isCount(n);

/** A stat line of fields that are numbers of any sign and size, or not numbers at all. */
const statField = fc.oneof(
  { arbitrary: fc.integer().map(String), weight: 4 },
  { arbitrary: fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map(String), weight: 2 },
  { arbitrary: fc.string({ maxLength: 6 }), weight: 1 },
);
const statLine = fc
  .tuple(fc.string({ maxLength: 20 }), fc.array(statField, { minLength: 45, maxLength: 52 }))
  .map(([comm, fields]) => `${process.pid} (${comm}) S ${fields.join(' ')}\n`);

/** An entry the kernel could have written. */
const isEntry = (m: MapsEntry) =>
  isMappingRange(m.start, m.end) && isCount(m.offset) && isCount(m.inode) && m.perms.length === 4;

/** Asserts that the property holds (returns true, throws nothing) for every value tried. */
const check = <T>(arbitrary: fc.Arbitrary<T>, property: (value: T) => boolean) =>
  fc.assert(fc.property(arbitrary, property), { numRuns: RUNS });

describe('the /proc parsers on any text', () => {
  it('stat: undefined, or integers with ppid unknown (null) rather than negative', () => {
    check(fc.oneof(input(SEEDS.stat), statLine), (text) => {
      const stat = parseStat(text);
      if (!stat) return true;
      return (
        isCount(stat.pid) &&
        isCount(stat.startTime) &&
        isCount(stat.flags) &&
        isCountOrUnknown(stat.ppid) &&
        stat.state.length > 0
      );
    });
  });

  it('status: a uid below 2^32, numbers finite and not negative, or unknown', () => {
    check(input(SEEDS.status), (text) => {
      const uid = parseStatusUid(text);
      const isUid = uid === undefined || (Number.isInteger(uid) && uid >= 0 && uid < 2 ** 32);
      return (
        isUid &&
        ['Tgid', 'PPid', 'VmRSS', 'VmSwap', 'RssAnon', 'HugetlbPages'].every(
          (name) =>
            isCountOrUnknown(parseStatusNumber(text, name)) &&
            isCountOrUnknown(parseStatusKb(text, name)),
        )
      );
    });
  });

  it('statm and cmdline', () => {
    check(input(SEEDS.statm), (text) => isCountOrUnknown(parseStatmResidentPages(text)));
    check(input(SEEDS.cmdline), (text) => !parseCmdline(text).includes('\0'));
  });

  it('maps: every entry a range the kernel writes; parseMapsRanges keeps the same ones', () => {
    check(input(SEEDS.maps), (text) => {
      const maps = parseMaps(text);
      const ranges = parseMapsRanges(text);
      const lines = text.split('\n').map((line) => ({ line, entry: parseMapsLine(line) }));
      return (
        maps.every(isEntry) &&
        ranges.count === maps.length &&
        maps.every((m, i) => ranges.start[i] === m.start && ranges.end[i] === m.end) &&
        lines.every(({ line, entry }) => !entry || (isEntry(entry) && isMapsLine(line, 0)))
      );
    });
  });

  it('smaps and smaps_rollup: valid headers, fields finite bytes', () => {
    for (const seed of [SEEDS.smaps, SEEDS.smaps_rollup]) {
      check(input(seed), (text) =>
        parseSmaps(text).every(
          (block) => isEntry(block.entry) && Object.values(block.fields).every(isCount),
        ),
      );
    }
  });

  it('meminfo and passwd', () => {
    check(input(SEEDS.meminfo), (text) => {
      const users = [...parsePasswd(text)];
      return (
        Object.values(parseMeminfo(text)).every(isCount) &&
        users.every(
          ([uid, name]) => Number.isInteger(uid) && uid >= 0 && uid < 2 ** 32 && name.length > 0,
        )
      );
    });
  });

  it('passwd: a uid of 16 digits or 2^32 is no uid (a counterexample once found)', () => {
    expect([
      ...parsePasswd('VmRSS:VmRSS:9999999999999999\nbig:x:4294967296:0::/:/bin/sh\n'),
    ]).toEqual([]);
    expect([...parsePasswd('top:x:4294967295:0::/:/bin/sh\n')]).toEqual([[4294967295, 'top']]);
  });

  it('auxv: any bytes give a page size or none', () => {
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 600 }),
      fc
        .tuple(fc.nat(AUXV_SEED.length), fc.uint8Array({ maxLength: 32 }))
        .map(([cut, tail]) => Buffer.concat([AUXV_SEED.subarray(0, cut), tail])),
    );
    check(bytes, (auxv) => {
      const size = parseAuxvPageSize(auxv);
      return size === undefined || typeof size === 'bigint';
    });
  });
});

describe('the seeds themselves', () => {
  it('parse as this process', () => {
    expect(parseStat(SEEDS.stat)?.pid).toBe(process.pid);
    expect(parseStatusNumber(SEEDS.status, 'Tgid')).toBe(process.pid);
    expect(parseStatusUid(SEEDS.status)).toBe(process.geteuid!());
    expect(parseMaps(SEEDS.maps).length).toBe(SEEDS.maps.trimEnd().split('\n').length);
    expect(parseSmaps(SEEDS.smaps).length).toBe(SEEDS.smaps.match(/^[0-9a-f]+-/gm)?.length);
    expect(parseSmaps(SEEDS.smaps_rollup)[0]?.fields['Rss']).toBeGreaterThan(0);
    expect(parseAuxvPageSize(AUXV_SEED)).toBe(4096n);
  });
});
