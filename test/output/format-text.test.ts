// Text outputs print names from /proc as plain text: a control character or escape sequence in
// a comm, command line or path must never reach the terminal.
import { describe, expect, it } from 'vitest';
import { emptyCounters } from '../../src/model/counters.js';
import type { Mapping, ProcessSample } from '../../src/model/types.js';
import { formatCsv } from '../../src/output/csv.js';
import { formatEvent } from '../../src/format/event-text.js';
import { formatLibraries } from '../../src/output/libs.js';
import { formatMapsLine } from '../../src/output/pagemaps.js';
import { parseCsv } from '../helpers/csv.js';
import { counters, proc } from '../helpers/synthetic.js';

const HOSTILE = 'a\nb\x1b[31mc\x07';
const SHOWN = 'a?b?[31mc?';
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

describe('text outputs of hostile names', () => {
  it('escapes comm and path in an event line', () => {
    const line = formatEvent(
      {
        pid: 7,
        comm: HOSTILE,
        path: `/tmp/${HOSTILE}`,
        start: 0x1000,
        kind: 'cowBreaks',
        pages: 2,
      },
      4096,
    );
    expect(line).not.toMatch(CONTROL);
    expect(line).toBe(`${SHOWN} 7: 8.00 KiB became private-dirty (copy-on-write) in /tmp/${SHOWN}`);
  });

  it('escapes a library path and its users’ names', () => {
    const text = formatLibraries(
      [
        {
          key: '8:1:5',
          path: `/lib/${HOSTILE}.so`,
          counters: emptyCounters(),
          users: [{ pid: 9, startTime: 1, comm: HOSTILE, counters: emptyCounters() }],
        },
      ],
      true,
    );
    expect(text.replace(/\n/g, '')).not.toMatch(CONTROL);
    expect(text.trimEnd().split('\n')).toHaveLength(3);
    expect(text).toContain(`/lib/${SHOWN}.so`);
    expect(text).toContain(`9 ${SHOWN}`);
  });

  it('escapes a path in a maps line', () => {
    const m: Mapping = {
      start: 0x1000,
      end: 0x2000,
      perms: 'r--p',
      offset: 0,
      dev: '08:01',
      inode: 5,
      path: `/x/${HOSTILE}`,
      counters: emptyCounters(),
      pageBegin: 0,
      pageEnd: 0,
    };
    expect(formatMapsLine(m)).not.toMatch(CONTROL);
    expect(formatMapsLine(m).endsWith(` /x/${SHOWN}`)).toBe(true);
  });
});

describe('CSV of hostile names', () => {
  const row = (p: ProcessSample) => formatCsv([p], false).split('\n')[1]!;

  it('writes controls as ? and invalid bytes as \\xNN, as the terminal outputs do', () => {
    const line = row(
      proc(5, counters({}), {
        comm: 'a\x1b]52;c;aGk=\x07',
        cmdline: `x\x1b]2;title\x07 \u009b31m bad${'\udcff'}`,
      }),
    );
    expect(line).not.toMatch(CONTROL);
    expect(line).toContain(',a?]52;c;aGk=?,');
    expect(line.endsWith(',x?]2;title? ?31m bad\\xff')).toBe(true);
  });

  it('guards text cells that start a formula with a quote, and quotes them', () => {
    const cells = (cmdline: string) => row(proc(5, counters({}), { comm: '-two', cmdline }));
    expect(cells('=HYPERLINK("http://x","y")')).toMatch(
      /,"'-two",.*,"'=HYPERLINK\(""http:\/\/x"",""y""\)"$/,
    );
    expect(cells('@SUM(1+1)').endsWith(`,"'@SUM(1+1)"`)).toBe(true);
    expect(cells('+1').endsWith(`,"'+1"`)).toBe(true);
    expect(cells('-2').endsWith(`,"'-2"`)).toBe(true);
    expect(cells('\t=1+1').endsWith(',?=1+1')).toBe(true); // the tab is a control: '?'
    expect(cells('/bin/sh -c x').endsWith(',/bin/sh -c x')).toBe(true);
  });

  it('reads back through an RFC 4180 reader as the sanitized text, formula cells guarded', () => {
    const lines = ['=1,"2"\n3', 'a,"b"\r\nc', '"only quotes"', 'plain'];
    const text = formatCsv(
      lines.map((cmdline, i) => proc(i + 1, counters({}), { comm: 'c,"d"', cmdline })),
      false,
    );
    const [head, ...records] = parseCsv(text);
    const at = head!.findIndex((f) => f.cell === 'cmdline');
    expect(records.map((r) => r[at])).toEqual([
      { cell: `'=1,"2"?3`, quoted: true },
      { cell: 'a,"b"??c', quoted: true },
      { cell: '"only quotes"', quoted: true },
      { cell: 'plain', quoted: false },
    ]);
    const comm = head!.findIndex((f) => f.cell === 'comm');
    for (const r of records) expect(r[comm]).toEqual({ cell: 'c,"d"', quoted: true });
  });

  it('leaves numbers as numbers, negative ones too', () => {
    const line = row(proc(5, counters({ rss: 8 }), { ppid: -1 }));
    expect(line.startsWith('5,-1,root,proc5,false,8192,')).toBe(true);
  });
});
