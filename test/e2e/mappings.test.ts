// The mapping view of a process with 200,000 mappings, in tmux: it opens with the right rows.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sizeText } from '../../src/columns/counter-column.js';
import { CLI } from '../helpers/cli.js';
import { raiseMapCount } from '../helpers/map-count.js';
import { Workload } from '../helpers/workload.js';

const SOCKET = `memtop-test-mappings-${process.pid}`;
const MAPPINGS = 200_000;
const WAIT_MS = 120_000;

function tmux(...args: string[]): string {
  return execFileSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8' });
}

/** The screen, and the index of the row drawn selected (inverse video, not the bold title). */
function screen(): { lines: string[]; selected: number } {
  const raw = tmux('capture-pane', '-p', '-e', '-t', 'view').split('\n');
  // eslint-disable-next-line no-control-regex
  const selected = raw.findIndex((l) => /\x1b\[(?:0;)?7m/.test(l));
  // eslint-disable-next-line no-control-regex
  return { lines: raw.map((l) => l.replace(/\x1b\[[0-9;]*m/g, '')), selected };
}

async function waitFor(what: string, test: (lines: string[], selected: number) => boolean) {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const s = screen();
    if (test(s.lines, s.selected)) return s;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}; screen:\n${s.lines.join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Whether a row shows a maps line: its ADDRESS (start-end, 12 digits each, or the start alone
 * for the [vsyscall] page, whose end needs more digits) and its PERM.
 */
function showsMapping(row: string | undefined, mapsLine: string): boolean {
  const [range, perms] = mapsLine.split(' ');
  const [start, end] = range!.split('-').map((a) => a.padStart(12, '0'));
  const [address, shownPerms] = (row ?? '').split(/ +/);
  return (address === `${start}-${end}` || address === start) && shownPerms === perms;
}

describe('mapping view with 200,000 mappings', () => {
  let restoreMapCount = () => {};
  let workload: Workload | undefined;

  beforeAll(async () => {
    restoreMapCount = raiseMapCount(MAPPINGS);
    workload = await Workload.start();
    await workload.many(MAPPINGS);
    tmux('new-session', '-d', '-s', 'view', '-x', '120', '-y', '40', 'bash --norc --noprofile');
  }, 180_000);

  afterAll(async () => {
    try {
      tmux('kill-server');
    } catch {
      // already gone
    }
    await workload?.stop();
    restoreMapCount();
  });

  it('opens on the first mappings, shows the last after End, totals as smaps_rollup', async () => {
    const pid = workload!.pid;
    const maps = readFileSync(`/proc/${pid}/maps`, 'latin1').trimEnd().split('\n');
    expect(maps.length).toBeGreaterThan(MAPPINGS);
    tmux('send-keys', '-t', 'view', `env CI=false ${CLI} -d 5 --budget off -p ${pid}`, 'Enter');
    await waitFor('the process row', (lines) =>
      lines.some((l) => l.startsWith(`${pid} `.padStart(8))),
    );
    tmux('send-keys', '-t', 'view', 'Enter');
    const opened = await waitFor('the first rows', (lines) =>
      lines.some((l) => showsMapping(l, maps[1]!)),
    );
    const title = opened.lines.findIndex((l) => l.includes('ADDRESS'));
    expect(opened.lines[1]).toMatch(new RegExp(`^${maps.length} mappings`));
    for (let i = 0; i < 3; i++)
      expect(showsMapping(opened.lines[title + 1 + i], maps[i]!)).toBe(true);
    expect(opened.selected).toBe(title + 1);
    tmux('send-keys', '-t', 'view', 'End');
    const end = await waitFor(
      'the last mapping selected',
      (lines, selected) => selected > title && showsMapping(lines[selected], maps.at(-1)!),
    );
    // The rows above it are the mappings before it, in address order.
    expect(showsMapping(end.lines[end.selected - 1], maps.at(-2)!)).toBe(true);
    // The totals line: RSS as smaps_rollup counts it (the workload is quiescent), and the count.
    const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const rssBytes = Number(/^Rss:\s+(\d+) kB/m.exec(rollup)![1]) * 1024;
    const totals = end.lines.find((l) => l.startsWith('TOTAL'))!;
    expect(totals).toMatch(new RegExp(`^TOTAL +${sizeText(rssBytes)} `)); // ADDRESS, PERM, RSS
    expect(totals).toMatch(new RegExp(`${maps.length} mappings$`));
    tmux('send-keys', '-t', 'view', 'q');
    await waitFor('memtop to quit', (lines) => !lines.some((l) => l.startsWith('TOTAL')));
  }, 300_000);
});
