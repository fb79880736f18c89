// `memtop pagemaps PID` against the kernel, page by page: the 2006 listing rebuilt in user space.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { PAGE_SIZE } from '../helpers/workload.js';
import {
  ANON_PAGES,
  FILE_PAGES,
  FILE_PAGES_OTHER,
  SHARED_PAGES,
  SHARED_TOUCHED_BY_CHILD0,
  ZERO_PAGES,
  anonCount,
  startFamily,
  type Family,
} from './fork-family.js';

/** Parses the listing into mapping start → one value per page ('?' stays a string). */
function parseListing(text: string): Map<number, (number | '?')[]> {
  const out = new Map<number, (number | '?')[]>();
  let current: (number | '?')[] | undefined;
  for (const line of text.split('\n')) {
    const head = /^([0-9a-f]+)-([0-9a-f]+) /.exec(line);
    if (head) {
      current = [];
      out.set(parseInt(head[1]!, 16), current);
    } else if (line !== '' && current) {
      current.push(...line.split(' ').map((v) => (v === '?' ? '?' : Number(v))));
    }
  }
  return out;
}

const range = <T>(n: number, f: (i: number) => T) => Array.from({ length: n }, (_, i) => f(i));

let family: Family;

beforeAll(async () => {
  family = await startFamily();
}, 120_000);

afterAll(async () => {
  await family?.stop();
});

function listing(pid: number, extra: string[] = [], uid?: number) {
  const result = runCli([...extra, 'pagemaps', String(pid)], { uid });
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  return { text: result.stdout, pages: parseListing(result.stdout) };
}

describe('memtop pagemaps (root)', () => {
  it('prints −N for anonymous pages shared by N processes and −1 for pages a child wrote', () => {
    const parent = listing(family.parent.pid).pages.get(family.anon);
    expect(parent).toEqual(range(ANON_PAGES, (p) => -anonCount(-1, p)));
    // Pages 0..63 of the parent are shared with child 2 alone: −2.
    expect(parent?.slice(0, 64)).toEqual(range(64, () => -2));
    const child0 = listing(family.children[0]!).pages.get(family.anon);
    expect(child0?.slice(0, 64)).toEqual(range(64, () => -1));
    expect(child0).toEqual(range(ANON_PAGES, (p) => -anonCount(0, p)));
  });

  it('prints N for clean file pages mapped by N processes, 0 for the zero page and untouched pages', () => {
    const { pages } = listing(family.parent.pid);
    expect(pages.get(family.file)).toEqual(
      range(FILE_PAGES, (p) => (p < FILE_PAGES_OTHER ? 3 : 2)),
    );
    expect(pages.get(family.zero)).toEqual(range(ZERO_PAGES, () => 0));
    const child1 = listing(family.children[1]!).pages.get(family.shared);
    expect(child1).toEqual(range(SHARED_PAGES, () => 0));
    const child0 = listing(family.children[0]!).pages.get(family.shared);
    expect(child0).toEqual(range(SHARED_PAGES, (p) => (p < SHARED_TOUCHED_BY_CHILD0 ? -2 : 0)));
  });

  it('wraps at 512 pages a line and prints each mapping as its maps line', () => {
    const { text } = listing(family.sparse.pid, ['--prefault', 'none']);
    const lines = text.split('\n');
    const reserveHead = lines.findIndex((l) => l.startsWith(`${family.reserve.toString(16)}-`));
    expect(reserveHead).toBeGreaterThanOrEqual(0);
    const touchedPages = (4 << 20) / PAGE_SIZE;
    const body = lines.slice(reserveHead + 1, reserveHead + 1 + touchedPages / 512);
    expect(body.map((l) => l.split(' ').length)).toEqual(range(touchedPages / 512, () => 512));
    expect(body.every((l) => l.split(' ').every((v) => v === '-1'))).toBe(true);
    expect(lines[reserveHead]).toMatch(/^[0-9a-f]+-[0-9a-f]+ rw-p 00000000 00:00 0 $/);
    // Every mapping, in maps order, headed by its maps line (fields as the kernel writes them;
    // the kernel pads before the path, memtop does not).
    const fields = (line: string) => line.split(' ').filter((f) => f !== '');
    const heads = lines.filter((l) => /^[0-9a-f]+-[0-9a-f]+ /.test(l)).map(fields);
    const maps = readFileSync(`/proc/${family.sparse.pid}/maps`, 'utf8').trimEnd().split('\n');
    expect(heads).toEqual(maps.map(fields));
  });

  it('fails with one line for an unknown pid', () => {
    const result = runCli(['pagemaps', '999999999']);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe('memtop: no such process: 999999999\n');
  });
});
