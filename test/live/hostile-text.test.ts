// Names from /proc in every output of the built bin, for processes this test starts: UTF-8 is
// shown as UTF-8, bytes that are not UTF-8 as \xNN in text and as U+FFFD plus a Base64 sibling
// in JSON, no terminal escape gets through, CSV cells that would be formulas are guarded.
import { spawnSync } from 'node:child_process';
import { isUtf8 } from 'node:buffer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../helpers/cli.js';
import { parseCsv } from '../helpers/csv.js';
import { DATA_NAME, startHostile, type HostileSet } from '../helpers/hostile-names.js';

let set: HostileSet;
let pids: string;

beforeAll(async () => {
  set = await startHostile();
  pids = set.processes.map((p) => p.pid).join(',');
});
afterAll(() => set?.stop());

/** Runs dist/cli.js; stdout as the bytes written. */
function run(args: string[]): Buffer {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    env: { ...process.env, NO_COLOR: '1' },
    maxBuffer: 1 << 28,
    timeout: 240_000,
  });
  if (r.status !== 0) throw new Error(`memtop ${args.join(' ')}: ${r.status} ${r.stderr}`);
  return r.stdout;
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

/** Text output: valid UTF-8 (so no lone C1 byte) holding no control but the newline. */
function cleanText(out: Buffer): string {
  expect(isUtf8(out)).toBe(true);
  const text = out.toString('utf8');
  expect(text).not.toMatch(CONTROL);
  return text;
}

/**
 * What the text outputs show for a name's bytes: each UTF-8 character as itself (a control as
 * '?'), each byte of an invalid sequence as \xNN. The reference for memtop's decoding: the
 * sequence length from the lead byte, validated by a fatal TextDecoder.
 */
function shown(raw: Buffer): string {
  const strict = new TextDecoder('utf-8', { fatal: true });
  let out = '';
  for (let i = 0; i < raw.length;) {
    const b = raw[i]!;
    const n =
      b < 0x80
        ? 1
        : b >= 0xc2 && b <= 0xdf
          ? 2
          : b >= 0xe0 && b <= 0xef
            ? 3
            : b >= 0xf0 && b <= 0xf4
              ? 4
              : 0;
    let c: string | undefined;
    try {
      if (n > 0 && i + n <= raw.length) c = strict.decode(raw.subarray(i, i + n));
    } catch {
      c = undefined;
    }
    if (c === undefined) {
      out += `\\x${b.toString(16)}`;
      i++;
    } else {
      out += CONTROL.test(c) ? '?' : c;
      i += n;
    }
  }
  return out;
}

/** JSON output: each line valid UTF-8 with no raw control, parses, strings well formed. */
function cleanJson(out: Buffer): unknown[] {
  const text = cleanText(out);
  const docs = text
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as unknown);
  const walk = (v: unknown): void => {
    if (typeof v === 'string') {
      expect(v).not.toMatch(/[\ud800-\udfff]/u); // with the u flag: lone surrogates only
    } else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  docs.forEach(walk);
  return docs;
}

/** Every object in a JSON document with its key path. */
function objects(v: unknown, out: Record<string, unknown>[] = []): Record<string, unknown>[] {
  if (Array.isArray(v)) v.forEach((x) => objects(x, out));
  else if (v && typeof v === 'object') {
    out.push(v as Record<string, unknown>);
    Object.values(v).forEach((x) => objects(x, out));
  }
  return out;
}

/** A field and its Base64 sibling: the sibling decodes to `raw` and the text is valid UTF-8. */
function expectRaw(o: Record<string, unknown>, field: string, raw: Buffer) {
  const text = o[field] as string;
  expect(text).toBe(new TextDecoder('utf-8').decode(raw)); // U+FFFD for each invalid byte
  if (isUtf8(raw)) {
    expect(o).not.toHaveProperty(`${field}Base64`);
  } else {
    expect(Buffer.from(o[`${field}Base64`] as string, 'base64').equals(raw)).toBe(true);
  }
}

/** Base64 siblings appear only beside a field of that name, and decode to its bytes. */
function expectSiblings(doc: unknown) {
  for (const o of objects(doc)) {
    for (const [k, v] of Object.entries(o)) {
      if (!k.endsWith('Base64')) continue;
      const field = k.slice(0, -'Base64'.length);
      expect(typeof o[field]).toBe('string');
      const raw = Buffer.from(v as string, 'base64');
      expect(isUtf8(raw)).toBe(false);
      expect(o[field]).toBe(new TextDecoder('utf-8').decode(raw));
    }
  }
}

/** CSV: clean text, formula text cells guarded, number cells plain numbers. */
function checkCsv(out: Buffer, textColumns: readonly string[]) {
  const rows = parseCsv(cleanText(out));
  const head = rows[0]!.map((c) => c.cell);
  const body = rows.slice(1);
  for (const row of body) {
    expect(row).toHaveLength(head.length);
    row.forEach(({ cell, quoted }, i) => {
      // OWASP: no cell may begin with = + - @ tab CR unless guarded with ' (and quoted).
      expect(cell).not.toMatch(/^[=+\-@\t\r]/);
      if (cell.startsWith("'")) expect(quoted).toBe(true);
      if (!textColumns.includes(head[i]!) && cell !== '' && !/^(true|false|0x)/.test(cell)) {
        expect(quoted).toBe(false);
        expect(Number.isFinite(Number(cell))).toBe(true);
      }
    });
  }
  return { head, body: body.map((r) => r.map((c) => c.cell)) };
}

describe('hostile names in every output of the bin (needs root for pages)', () => {
  it('snapshot prints UTF-8 as such, invalid bytes as \\xNN, no control character', () => {
    const text = cleanText(run(['snapshot', '-p', pids]));
    for (const p of set.processes) expect(text).toContain(shown(p.cmdline));
    expect(text).toContain('café mark');
    expect(text).toContain('進程 mark');
    expect(text).toContain('bad\\xff\\xfe mark');
    expect(text).toContain('c1\\x9b31m?1m?del');
    const mapped = cleanText(run(['snapshot', '-p', pids, '--mappings']));
    expect(mapped).toContain(shown(set.dataPath));
  });

  it('snapshot --json: valid UTF-8 strings, Base64 siblings with the raw bytes, DEL and C1 escaped', () => {
    const out = run(['snapshot', '--json', '--mappings', '-p', pids]);
    expect(out.toString('utf8')).toContain('\\u009b');
    expect(out.toString('utf8')).toContain('\\u007f');
    const [doc] = cleanJson(out) as [{ processes: Record<string, unknown>[] }];
    expectSiblings(doc);
    expect(doc.processes).toHaveLength(set.processes.length);
    for (const p of set.processes) {
      const j = doc.processes.find((x) => x['pid'] === p.pid)!;
      expectRaw(j, 'comm', p.comm);
      expectRaw(j, 'cmdline', p.cmdline);
      const m = (j['mappings'] as Record<string, unknown>[]).find((x) =>
        (x['path'] as string).includes('lib-café'),
      )!;
      expectRaw(m, 'path', set.dataPath);
    }
  });

  it('snapshot --csv: no control character, formula cells guarded, numbers left as numbers', () => {
    const { head, body } = checkCsv(run(['snapshot', '--csv', '-p', pids]), [
      'user',
      'comm',
      'cmdline',
    ]);
    const cmdline = head.indexOf('cmdline');
    const comm = head.indexOf('comm');
    const pid = head.indexOf('pid');
    const cell = (label: string, column: number) =>
      body.find((r) => Number(r[pid]) === set.byLabel(label).pid)![column];
    expect(cell('equals', cmdline)).toBe(`'=HYPERLINK("http://example.invalid","x") ${set.mark}`);
    expect(cell('at', cmdline)).toBe(`'@SUM(1+1) ${set.mark}`);
    expect(cell('plus', cmdline)).toBe(`'+1 ${set.mark}`);
    expect(cell('minus', cmdline)).toBe(`'-2 ${set.mark}`);
    expect(cell('minus', comm)).toBe(`'-two`);
    expect(cell('cafe', comm)).toBe('café');
    expect(cell('invalid', comm)).toBe('bad\\xff\\xfe');
    expect(cell('osc', cmdline)).toBe(shown(set.byLabel('osc').cmdline));
    const mapped = checkCsv(run(['snapshot', '--csv', '--mappings', '-p', pids]), [
      'user',
      'comm',
      'perms',
      'dev',
      'path',
    ]);
    const path = mapped.head.indexOf('path');
    expect(mapped.body.some((r) => r[path] === shown(set.dataPath))).toBe(true);
  });

  it('batch text and JSON frames', () => {
    const text = cleanText(run(['-b', '-n', '1', '-p', pids, '--budget', 'off']));
    expect(text).toContain('café mark');
    expect(text).toContain('bad\\xff\\xfe mark');
    const [doc] = cleanJson(run(['-b', '-n', '1', '--json', '-p', pids, '--budget', 'off'])) as [
      { processes: Record<string, unknown>[] },
    ];
    expectSiblings(doc);
    for (const p of set.processes) {
      const j = doc.processes.find((x) => x['pid'] === p.pid)!;
      expectRaw(j, 'comm', p.comm);
      expectRaw(j, 'cmdline', p.cmdline);
    }
  });

  it('libs and libs --json show the mapped file and its users', () => {
    const text = cleanText(run(['libs', '-u', '-p', pids]));
    expect(text).toContain(shown(set.dataPath));
    expect(text).toContain('bad\\xff\\xfe');
    const [doc] = cleanJson(run(['libs', '--json', '-p', pids])) as [
      { libraries: Record<string, unknown>[] },
    ];
    expectSiblings(doc);
    const lib = doc.libraries.find((l) => (l['path'] as string).includes('lib-café'))!;
    expectRaw(lib, 'path', set.dataPath);
    const users = lib['users'] as Record<string, unknown>[];
    expect(users).toHaveLength(set.processes.length);
    for (const p of set.processes)
      expectRaw(
        users.find((u) => u['pid'] === p.pid)!,
        'comm',
        p.comm,
      );
  });

  it('pagemaps prints the maps line of the file with its path escaped', () => {
    const text = cleanText(run(['pagemaps', String(set.byLabel('invalid').pid)]));
    expect(text.split('\n').some((l) => l.endsWith(` ${shown(set.dataPath)}`))).toBe(true);
    expect(DATA_NAME.includes(0x1b)).toBe(true); // the path did hold escapes
  });

  it('shares and shares --json name the processes sharing the file', () => {
    const subject = set.byLabel('cafe');
    const text = cleanText(run(['shares', String(subject.pid)]));
    expect(text.startsWith(`café ${subject.pid} shares`)).toBe(true);
    expect(text).toContain(' 進程\n');
    expect(text).toContain(' bad\\xff\\xfe\n');
    const [doc] = cleanJson(run(['shares', String(subject.pid), '--json'])) as [
      { comm: string; sharesWith: Record<string, unknown>[] },
    ];
    expectSiblings(doc);
    expect(doc.comm).toBe('café');
    for (const p of set.processes) {
      if (p === subject) continue;
      const s = doc.sharesWith.find((x) => x['pid'] === p.pid);
      expect(s, p.label).toBeDefined();
      expectRaw(s!, 'comm', p.comm);
    }
  }, 600_000); // shares samples every process's pages, twice here: minutes on a loaded host
});
