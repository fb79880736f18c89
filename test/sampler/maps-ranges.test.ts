// parseMapsRanges() reads the address ranges of /proc/PID/maps without a regex or an object per
// line; it must keep exactly the lines parseMaps() keeps, with the same addresses.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  isMapsLine,
  isMappingRange,
  parseMaps,
  parseMapsLine,
  parseMapsRanges,
} from '../../src/sampler/parse-proc.js';

// Addresses and offsets as the kernel prints a u64 in hex, the inode as one in decimal; the
// fields hold no ASCII white space (maps text is UTF-8: U+00A0 and U+3000 are not spaces to
// the kernel).
const HEADER =
  /^([0-9a-f]{1,16})-([0-9a-f]{1,16}) ([^\t-\r ]{4}) ([0-9a-f]{1,16}) ([^\t-\r ]+) (\d{1,20})(?![0-9])/;

const LINES = [
  '7f0c2a000000-7f0c2a021000 rw-p 00000000 00:00 0 ',
  '55d3c8a00000-55d3c8a2f000 r--p 00000000 fd:01 1316432                    /usr/bin/node',
  'ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]',
  '7ffd1000-7ffd2000 ---p 00000000 00:00 0',
  '7ffd1000-7ffd2000 rw-s 00000000 00:05 12345 /SYSV00000000 (deleted)',
  '7ffd1000-7ffd2000 rw-p 00000000 00:00 0      [anon: with spaces ]',
  '7ffd1000-7ffd2000 rw-p',
  '7ffd1000-7ffd2000 rw-p 00000000',
  '7ffd1000-7ffd2000 rw-p 00000000 00:00',
  '7ffd1000-7ffd2000 rw-p 00000000 00:00 ',
  '7ffd1000-7ffd2000 rw-px 00000000 00:00 0',
  '7ffd1000-7ffd2000 rw  00000000 00:00 0',
  '7FFD1000-7ffd2000 rw-p 00000000 00:00 0',
  '7ffd1000 7ffd2000 rw-p 00000000 00:00 0',
  '-7ffd2000 rw-p 00000000 00:00 0',
  '7ffd1000- rw-p 00000000 00:00 0',
  '7ffd1000-7ffd2000  rw-p 00000000 00:00 0',
  '7ffd1000-7ffd2000 rw-p 0000g000 00:00 0',
  '7ffd1000-7ffd2000 rw-p 00000000 00:00 x',
  '7ffd1000-7ffd2000 r\u00a0-p 00000000 00:00 0',
  '7ffd1000-7ffd2000 rw-p 00000000 00:00\u30000',
  '7ffd1000-7ffd2000 rw-p 00000000 00:\udcff0 0',
  '7ffd1000-7ffd2000 rw-p 00000000 0\t0 0',
  // Fields longer than the kernel writes.
  '10000000000000000-10000000000001000 rw-p 00000000 00:00 0',
  `7ffd1000-${'f'.repeat(40)} rw-p 00000000 00:00 0`,
  '7ffd1000-7ffd2000 rw-p 10000000000000000 00:00 0',
  `7ffd1000-7ffd2000 rw-p 00000000 00:00 ${'9'.repeat(21)}`,
  `7ffd1000-7ffd2000 rw-p 00000000 00:00 ${'9'.repeat(20)} /x`,
  // Headers of ranges the kernel never writes: refused by isMappingRange.
  '7ffd2000-7ffd1000 rw-p 00000000 00:00 0',
  '7ffd1000-7ffd1000 rw-p 00000000 00:00 0',
  '7ffd1001-7ffd2000 rw-p 00000000 00:00 0',
  '00ff000000000000-0100000000001000 rw-p 00000000 00:00 0',
  '8000000000000000-fffffffffffff000 rw-p 00000000 00:00 0',
  'Size:               4 kB',
  '',
];

describe('parseMapsRanges', () => {
  it('accepts a line exactly when the maps header regex does', () => {
    for (const line of LINES) {
      expect(isMapsLine(line, 0), JSON.stringify(line)).toBe(HEADER.test(line));
      expect(isMapsLine(`x\n${line}\n`, 2), JSON.stringify(line)).toBe(HEADER.test(line));
    }
  });

  it('keeps a line exactly when its header matches and isMappingRange accepts its range', () => {
    for (const line of LINES) {
      const m = HEADER.exec(line);
      const accepted = m !== null && isMappingRange(parseInt(m[1]!, 16), parseInt(m[2]!, 16));
      expect(parseMapsLine(line) !== undefined, JSON.stringify(line)).toBe(accepted);
      expect(parseMapsRanges(line).count, JSON.stringify(line)).toBe(accepted ? 1 : 0);
    }
    // The refused ones are refused for their range alone.
    expect(parseMaps(LINES.join('\n')).length).toBeLessThan(
      LINES.filter((l) => HEADER.test(l)).length,
    );
  });

  it('keeps the same lines, in the same order, as parseMaps', () => {
    const texts = [
      LINES.join('\n'),
      `${LINES.join('\n')}\n`,
      readFileSync('/proc/self/maps', 'utf8'),
      readFileSync('/proc/self/maps', 'utf8').slice(0, 1000), // cut mid-line
    ];
    for (const text of texts) {
      const maps = parseMaps(text);
      const ranges = parseMapsRanges(text);
      expect(ranges.count).toBe(maps.length);
      maps.forEach((m, i) => {
        expect(ranges.start[i]).toBe(m.start);
        expect(ranges.end[i]).toBe(m.end);
        expect(ranges.protNone[i]).toBe(m.perms.startsWith('---') ? 1 : 0);
      });
    }
  });
});
