// memtop's TUI driven in a real terminal: tmux at 120×40, keys in, screens out (needs tmux).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../helpers/cli.js';
import { PAGE_SIZE } from '../helpers/workload.js';
import { ANON_PAGES, anonCount, startFamily, type Family } from '../live/fork-family.js';

const SOCKET = `memtop-test-${process.pid}`;
const COLUMNS = 120;
const ROWS = 40;
const WAIT_MS = 20_000;

function tmux(...args: string[]): string {
  return execFileSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8' });
}

/** A shell in a detached tmux session of the test's size. */
function openTerminal(name: string): void {
  tmux(
    'new-session',
    '-d',
    '-s',
    name,
    '-x',
    String(COLUMNS),
    '-y',
    String(ROWS),
    'bash --norc --noprofile',
  );
}

function screen(name: string, escapes = false): string {
  return tmux('capture-pane', '-p', ...(escapes ? ['-e'] : []), '-t', name);
}

function paneFlag(name: string, flag: 'alternate_on' | 'cursor_flag' | 'pane_pid'): string {
  return tmux('display-message', '-p', '-t', name, `#{${flag}}`).trim();
}

function keys(name: string, ...k: string[]): void {
  tmux('send-keys', '-t', name, ...k);
}

function type(name: string, text: string): void {
  tmux('send-keys', '-t', name, '-l', text);
}

/** Polls the screen until `test` holds; fails with the last screen after the timeout. */
async function waitFor(
  name: string,
  what: string,
  test: (text: string) => boolean,
): Promise<string> {
  const deadline = Date.now() + WAIT_MS;
  let last = '';
  for (;;) {
    last = screen(name);
    if (test(last)) return last;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; screen:\n${last}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * The command a test types: memtop between two `stty -g`, then its exit status. Without a CPU
 * budget unless given one: these tests follow page changes sample by sample.
 */
function memtopCommand(dir: string, budget = 'off'): string {
  return (
    `stty -g > ${dir}/stty.before; env CI=false ${CLI} -d 1 --budget ${budget}; ` +
    `echo memtop-exit=$?; stty -g > ${dir}/stty.after`
  );
}

const SIZE = '(-|restricted|\\d+(?:\\.\\d+)? (?:B|KiB|MiB|GiB|TiB))';
/** ADDRESS PERM RSS PSS USS SHARED PRIV-DIRTY, then SHARED WITH and the path (120 columns). */
const MAPPING_ROW = new RegExp(
  `^([0-9a-f]+-[0-9a-f]+) (\\S{4}) +${SIZE} +${SIZE} +${SIZE} +${SIZE} +${SIZE} (.*)$`,
);

function bytes(text: string): number {
  const m = /^(\d+(?:\.\d+)?) (B|KiB|MiB|GiB|TiB)$/.exec(text);
  if (!m) return Number.NaN;
  const unit = ['B', 'KiB', 'MiB', 'GiB', 'TiB'].indexOf(m[2]!);
  return Number(m[1]) * 1024 ** unit;
}

interface ProcessLine {
  pid: number;
  uss: number;
  shared: number;
  /** The COW/s cell as drawn: blank (none), '-' (not known) or bytes per second. */
  cow: string;
  command: string;
}

/**
 * The process list's columns at 120 columns, with their widths: each cell ends one space before
 * the next. The title row is checked against them, so a layout change fails loudly here.
 */
const PROCESS_COLUMNS_120: readonly [string, number][] = [
  ['PID', 7],
  ['USER', 8],
  ['USS', 10],
  ['PSS', 8],
  ['RSS', 8],
  ['SHARED', 8],
  ['PRIV-DIRTY', 11],
  ['ΔUSS', 9],
  ['COW/s', 8],
  ['SHR+/s', 8],
];

/** Splits a row of the process list into its cells, by the widths above; the command is the rest. */
function processCells(line: string): Record<string, string> {
  const out: Record<string, string> = {};
  let at = 0;
  for (const [title, width] of PROCESS_COLUMNS_120) {
    out[title] = line.slice(at, at + width).trim();
    at += width + 1;
  }
  out['COMMAND'] = line.slice(at).trim();
  return out;
}

/** The process rows on screen, once the title row shows the layout above. */
function processRows(text: string): ProcessLine[] {
  const lines = text.split('\n');
  const title = lines.findIndex((l) => /^ +[▲▼]?PID USER/.test(l));
  if (title < 0) return [];
  const titles = processCells(lines[title]!.replace(/[▲▼]/g, ' '));
  expect(PROCESS_COLUMNS_120.map(([t]) => titles[t])).toEqual(PROCESS_COLUMNS_120.map(([t]) => t));
  return lines.slice(title + 1).flatMap((line) => {
    const c = processCells(line);
    if (!/^\d+$/.test(c['PID']!)) return [];
    return [
      {
        pid: Number(c['PID']),
        uss: bytes(c['USS']!),
        shared: bytes(c['SHARED']!),
        cow: c['COW/s']!,
        command: c['COMMAND']!,
      },
    ];
  });
}

function nonIncreasing(values: number[]): boolean {
  return values.every((v, i) => i === 0 || v <= values[i - 1]!);
}

const hex = (n: number) => n.toString(16);

/** Whether the screen line holding `text` is drawn in inverse video (the selection bar). */
function isSelected(name: string, text: string): boolean {
  const line = screen(name, true)
    .split('\n')
    .find((l) => l.includes(text));
  return line !== undefined && /\x1b\[(?:[0-9;]*;)?7m/.test(line); // eslint-disable-line no-control-regex
}

describe('memtop TUI end to end in tmux (requires tmux)', () => {
  let family: Family;
  let dir: string;

  beforeAll(async () => {
    family = await startFamily();
    dir = mkdtempSync(join(tmpdir(), 'memtop-tui-'));
  });

  afterAll(async () => {
    try {
      tmux('kill-server');
    } catch {
      // no server left to kill
    }
    // A test that failed half way may leave its memtop behind the dead terminal: end it.
    try {
      execFileSync('pkill', ['-KILL', '-f', `${CLI} -d 1`]);
    } catch {
      // none left
    }
    await family?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows the workload, sorts, filters, drills into a child’s copy-on-write region and its pages, helps, quits', async () => {
    const t = 'main';
    openTerminal(t);
    keys(t, memtopCommand(dir), 'Enter');
    const first = await waitFor(
      t,
      'the header',
      (s) => /^memtop \d\d:\d\d:\d\d /.test(s) && s.includes('processes · interval 1s'),
    );
    expect(first).toMatch(
      /\nMem [\d.]+ \w+ total, [\d.]+ \w+ available {2}Σ RSS .* sharing saves /,
    );
    expect(paneFlag(t, 'alternate_on')).toBe('1');

    // Filter to the workload (the parent, its three children, the other two processes).
    keys(t, '/');
    type(t, 'memtop-workload');
    keys(t, 'Enter');
    const [child0, child1] = family.children as [number, number];
    const ours = [family.parent.pid, ...family.children, family.other.pid, family.sparse.pid];
    const filtered = await waitFor(t, 'the filtered list', (s) => {
      const rows = processRows(s);
      return (
        s.includes('filter "memtop-workload"') &&
        ours.every((pid) => rows.some((r) => r.pid === pid))
      );
    });
    expect(processRows(filtered).every((r) => r.command.includes('memtop-workload'))).toBe(true);
    expect(filtered).toContain('filter "memtop-workload"');

    // Sorted by USS (the default): child 1 wrote 128 pages, child 0 only 64 (+32 of shared memory).
    expect(filtered).toMatch(/ ▼USS /);
    let rows = processRows(filtered);
    expect(nonIncreasing(rows.map((r) => r.uss))).toBe(true);
    const at = (list: ProcessLine[], pid: number) => list.findIndex((r) => r.pid === pid);
    expect(at(rows, child1)).toBeLessThan(at(rows, child0));

    // By SHARED: child 0 still shares 192 pages of the region, child 1 only 128.
    keys(t, 's');
    await waitFor(t, 'the sort prompt', (s) => s.includes('Sort by: '));
    keys(t, 's');
    const byShared = await waitFor(
      t,
      'the SHARED sort',
      (s) => s.includes('▼SHARED') && processRows(s).length > 0,
    );
    rows = processRows(byShared);
    expect(nonIncreasing(rows.map((r) => r.shared))).toBe(true);
    expect(at(rows, child0)).toBeLessThan(at(rows, child1));

    // Open child 0: by PID the rows stand still; Home, then down to it.
    keys(t, 's');
    await waitFor(t, 'the sort prompt', (s) => s.includes('Sort by: '));
    keys(t, 'i');
    const byPid = await waitFor(t, 'the PID sort', (s) => s.includes('▲PID'));
    keys(t, 'Home');
    keys(t, ...Array<string>(at(processRows(byPid), child0)).fill('j'));
    await waitFor(t, 'child 0 selected', () => isSelected(t, ` ${child0} root`));
    keys(t, 'Enter');
    const start = family.anon;
    const end = start + ANON_PAGES * PAGE_SIZE;
    const mappings = await waitFor(
      t,
      'child 0’s mappings',
      (s) => s.startsWith(`PID ${child0}  root`) && s.includes(`${hex(start)}-${hex(end)}`),
    );
    const lines = mappings.split('\n');
    const cow = lines
      .map((l) => MAPPING_ROW.exec(l))
      .find((m) => m?.[1] === `${hex(start)}-${hex(end)}`);
    expect(cow, mappings).toBeDefined();
    // ADDRESS PERM RSS PSS USS SHARED PRIV-DIRTY: 64 written pages are child 0's alone.
    expect(cow!.slice(2, 8)).toEqual([
      'rw-p',
      '1.00 MiB',
      expect.any(String),
      '256 KiB',
      '768 KiB',
      '256 KiB',
    ]);
    // SHARED WITH: the parent maps all 192 pages child 0 still shares; children 1 and 2, 128 each.
    const withParent = await waitFor(t, 'who child 0’s region is shared with', (s) =>
      s.split('\n').some((l) => {
        const m = MAPPING_ROW.exec(l);
        return (
          m?.[1] === `${hex(start)}-${hex(end)}` && m[8]!.startsWith(`static ${family.parent.pid},`)
        );
      }),
    );
    expect(withParent).toContain('SHARED WITH');

    // Its page map: written pages (private dirty) and pages still shared are marked differently.
    const index = lines
      .filter((l) => MAPPING_ROW.test(l))
      .findIndex((l) => l.startsWith(`${hex(start)}-`));
    keys(t, 'Home');
    keys(t, ...Array<string>(index).fill('j'));
    await waitFor(t, 'the region selected', () => isSelected(t, `${hex(start)}-${hex(end)}`));
    keys(t, 'Enter');
    const pageMap = await waitFor(
      t,
      'the page map',
      (s) => s.includes(`${hex(start)}-${hex(end)} rw-p [anon]`) && s.includes('zoom:'),
    );
    expect(pageMap).toContain(`${ANON_PAGES} pages (1.00 MiB)  zoom: 1 page per cell (all)`);
    const grid = pageMap
      .split('\n')
      .filter((l) => /^[0-9a-f]{8,} \S+$/.test(l))
      .map((l) => l.split(' ')[1])
      .join('');
    const expected = Array.from({ length: ANON_PAGES }, (_, p) =>
      anonCount(0, p) === 1 ? 'D' : String(anonCount(0, p)),
    ).join('');
    expect(grid).toBe(expected);
    expect(pageMap).toContain('D private dirty');
    expect(pageMap).toMatch(
      /page 1\/256 {2}private dirty {2}map count 1 {2}PFN 0x[0-9a-f]+ {2}flags /,
    );
    keys(t, 'Down');
    await waitFor(t, 'the cursor on a shared page', (s) =>
      /page 65\/256 {2}shared by 3 {2}map count 3 {2}PFN /.test(s),
    );

    // Help, generated from the key table.
    keys(t, '?');
    const help = await waitFor(t, 'the help screen', (s) =>
      s.includes('Keys (the same table dispatches them)'),
    );
    expect(help).toContain('Esc ⌫       page map: back to the mappings');
    expect(help).toContain('p Space     pause or resume sampling');

    // Quit: the shell's screen is back, the cursor visible, the tty modes as they were.
    keys(t, 'q');
    const after = await waitFor(t, 'the shell', (s) => s.includes('memtop-exit=0'));
    expect(after).not.toContain('Keys (the same table');
    expect(after).toContain(`${CLI} -d 1`);
    expect(paneFlag(t, 'alternate_on')).toBe('0');
    expect(paneFlag(t, 'cursor_flag')).toBe('1');
    await waitFor(
      t,
      'the shell prompt',
      () => readFileSync(`${dir}/stty.after`, 'utf8').length > 0,
    );
    expect(readFileSync(`${dir}/stty.after`, 'utf8')).toBe(
      readFileSync(`${dir}/stty.before`, 'utf8'),
    );
  });

  it('shows a child’s copy-on-write breaks as they happen, the libraries, and who shares a page', async () => {
    const t = 'changes';
    openTerminal(t);
    keys(t, memtopCommand(dir), 'Enter');
    await waitFor(t, 'the header', (s) => /^memtop \d\d:\d\d:\d\d /.test(s));
    // The family's processes only (by name and user), so that the events lines are theirs.
    keys(t, '/');
    type(t, 'memtop-workload');
    keys(t, 'Enter');
    keys(t, 'u');
    type(t, 'root');
    keys(t, 'Enter');
    const [, child1, child2] = family.children as [number, number, number];
    const parent = family.parent.pid;
    // A sample to compare with: the events lines say what changed in the last interval.
    await waitFor(
      t,
      'the first comparison',
      (s) =>
        s.includes('Page changes in the last') &&
        processRows(s).some((r) => r.pid === child1 && r.cow !== '-'),
    );

    // Child 1 writes 64 pages it shared with the parent and children 0 and 2: copy-on-write.
    await family.parent.child(1).write(family.anon, 128, 64);
    const event = new RegExp(
      `^ {2}static ${child1}: [\\d.]+ KiB became private-dirty \\(copy-on-write\\) in \\[anon ${hex(family.anon)}\\]$`,
      'm',
    );
    const broke = await waitFor(t, 'child 1’s copy-on-write breaks', (s) => {
      const row = processRows(s).find((r) => r.pid === child1);
      return event.test(s) && row !== undefined && bytes(row.cow) > 0;
    });
    const total = [
      ...broke.matchAll(new RegExp(`static ${child1}: ([\\d.]+ KiB) became private-dirty`, 'g')),
    ];
    expect(total.map((m) => bytes(m[1]!)).reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(
      64 * PAGE_SIZE,
    );
    expect(processRows(broke).find((r) => r.pid === parent)!.cow).toBe('');

    // The libraries view: the data file, mapped by the family and the other process.
    keys(t, 'l');
    await waitFor(t, 'the libraries', (s) => s.startsWith('Libraries and mapped files: '));
    keys(t, '/');
    type(t, 'data.bin');
    keys(t, 'Enter');
    const file = `${family.dir}/data.bin`;
    const libs = await waitFor(t, 'the data file', (s) =>
      s.split('\n').some((l) => l.endsWith(file)),
    );
    const row = libs.split('\n').find((l) => l.endsWith(file))!;
    // PROCS ΣRSS ΣPSS PRIVATE: the parent and child 2 hold all 16 pages, the other the first 8.
    expect(row).toMatch(/^ +5 +160 KiB +[\d.]+ KiB +0 B +0 B +160 KiB /);
    keys(t, 'Enter');
    const users = await waitFor(t, 'the processes mapping it', (s) => s.startsWith(file));
    const pids = users
      .split('\n')
      .map((l) => /^ +(\d+) /.exec(l)?.[1])
      .filter((x) => x !== undefined)
      .map(Number);
    expect(pids.sort((a, b) => a - b)).toEqual(
      [parent, ...family.children, family.other.pid].sort((a, b) => a - b),
    );
    keys(t, 'Escape');
    await waitFor(t, 'the libraries again', (s) => s.startsWith('Libraries and mapped files: '));
    keys(t, 'Escape');
    await waitFor(t, 'the process list', (s) => processRows(s).length > 0);

    // Child 2's region: its first page is shared by the parent alone.
    keys(t, 's');
    await waitFor(t, 'the sort prompt', (s) => s.includes('Sort by: '));
    keys(t, 'i');
    const byPid = await waitFor(t, 'the PID sort', (s) => s.includes('▲PID'));
    keys(t, 'Home');
    keys(t, ...Array<string>(processRows(byPid).findIndex((r) => r.pid === child2)).fill('j'));
    await waitFor(t, 'child 2 selected', () => isSelected(t, ` ${child2} root`));
    keys(t, 'Enter');
    const start = family.anon;
    const region = `${hex(start)}-${hex(start + ANON_PAGES * PAGE_SIZE)}`;
    const mappings = await waitFor(t, 'child 2’s mappings', (s) => s.includes(region));
    const index = mappings
      .split('\n')
      .filter((l) => MAPPING_ROW.test(l))
      .findIndex((l) => l.startsWith(region));
    keys(t, 'Home');
    keys(t, ...Array<string>(index).fill('j'));
    await waitFor(t, 'the region selected', () => isSelected(t, region));
    keys(t, 'Enter');
    const page = await waitFor(t, 'who shares the first page', (s) =>
      s.split('\n').includes(`Shared with: static ${parent}`),
    );
    expect(page).toMatch(/page 1\/256 {2}shared by 2 {2}map count 2 {2}PFN /);

    // Whom child 2 shares the most with: the parent, by distinct pages and by mappings.
    keys(t, 'Escape');
    await waitFor(t, 'the mappings again', (s) => s.includes('SHARED WITH'));
    keys(t, 'w');
    const parentFirst = new RegExp(`^ +${parent} +[\\d.]+ (KiB|MiB) +\\d+ parent +static`);
    const shares = await waitFor(t, 'the shares view', (s) => {
      const lines = s.split('\n');
      return (
        /^ +PID +SHARED +MAPPINGS RELATION COMMAND/.test(lines[2]!) && parentFirst.test(lines[3]!)
      );
    });
    expect(shares).toContain('SHARED: its pages the other maps too (distinct pages)');
    keys(t, 'q');
    await waitFor(t, 'the shell', (s) => s.includes('memtop-exit=0'));
  });

  it('within a small CPU budget shows its cost against the budget and the age of rows', async () => {
    const t = 'budget';
    openTerminal(t);
    keys(t, memtopCommand(dir, '1'), 'Enter');
    // The first sample reads everything; later ones within 1% of a core read only what the
    // budget allows, so the other rows show how old their per-page data is.
    const aged = await waitFor(
      t,
      'rows with an age',
      (s) => /^ +PID .* AGE COMMAND/m.test(s) && /^ *\d+ .* \d+s \S/m.test(s),
    );
    expect(aged).toMatch(/^sampler \d+ ms \(CPU \d+ ms\), .*budget 1\.0%/m);
    keys(t, 'q');
    await waitFor(t, 'the shell', (s) => s.includes('memtop-exit=0'));
  });

  it('follows a resize down to 40×10, then restores the terminal when the SSH link drops (SIGHUP)', async () => {
    const t = 'hup';
    rmSync(`${dir}/stty.after`, { force: true });
    openTerminal(t);
    keys(t, memtopCommand(dir), 'Enter');
    await waitFor(
      t,
      'the TUI',
      (s) => /^memtop \d\d:\d\d:\d\d /.test(s) && s.includes('processes · interval'),
    );
    expect(paneFlag(t, 'alternate_on')).toBe('1');
    tmux('resize-window', '-t', t, '-x', '40', '-y', '10');
    const small = await waitFor(t, 'the 40×10 layout', (s) =>
      /^ +PID +▼USS +SHARED COMMAND/m.test(s),
    );
    const lines = small.replace(/\n+$/, '').split('\n');
    expect(lines.length).toBeLessThanOrEqual(10);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(40);
    expect(lines[0]).toMatch(/^memtop \d\d:\d\d:\d\d /);
    expect(lines.at(-1)).toMatch(/^Enter Open {2}\? Help/);
    tmux('resize-window', '-t', t, '-x', String(COLUMNS), '-y', String(ROWS));
    await waitFor(t, 'the 120×40 layout', (s) =>
      /^ +PID USER +▼USS +PSS +RSS +SHARED +PRIV-DIRTY/m.test(s),
    );
    const shell = paneFlag(t, 'pane_pid');
    const memtop = Number(
      readFileSync(`/proc/${shell}/task/${shell}/children`, 'utf8').trim().split(/\s+/)[0],
    );
    // The bin runs as the shell that ran it, with the flags of its preamble.
    expect(readFileSync(`/proc/${memtop}/cmdline`, 'utf8').split('\0').slice(0, -1)).toEqual([
      'node',
      '--no-memory-reducer',
      '--no-concurrent-recompilation',
      '--inspect-port=[ff02::1]:9229',
      CLI,
      '-d',
      '1',
      '--budget',
      'off',
    ]);
    process.kill(memtop, 'SIGHUP');
    const after = await waitFor(t, 'the shell', (s) => s.includes('memtop-exit=129'));
    expect(after).not.toMatch(/^memtop \d\d:\d\d/m);
    expect(paneFlag(t, 'alternate_on')).toBe('0');
    expect(paneFlag(t, 'cursor_flag')).toBe('1');
    await waitFor(t, 'the tty modes', () => {
      try {
        return readFileSync(`${dir}/stty.after`, 'utf8').length > 0;
      } catch {
        return false;
      }
    });
    expect(readFileSync(`${dir}/stty.after`, 'utf8')).toBe(
      readFileSync(`${dir}/stty.before`, 'utf8'),
    );
  });
});
