// A plain user (uid 65534, no CAP_SYS_ADMIN): its own processes from pagemap flags and smaps,
// everybody else's shown as restricted, never as zero.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CLI,
  runCli,
  runJson,
  type MappingJson,
  type ProcessJson,
  type SnapshotJson,
} from '../helpers/cli.js';
import { readRollup } from '../helpers/smaps.js';
import { PAGE_SIZE } from '../helpers/workload.js';
import {
  ANON_PAGES,
  FILE_PAGES,
  FILE_PAGES_OTHER,
  MANY,
  anonCount,
  startFamily,
  type Family,
} from './fork-family.js';

const NOBODY = 65534;
const range = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i));

/** What smaps must say of a mapping whose resident pages have these map counts (bytes; PSS in kB precision). */
function expected(counts: number[], dirty: boolean) {
  const single = counts.filter((c) => c === 1).length;
  const shared = counts.length - single;
  const pssFixed = counts.reduce((s, c) => s + Math.floor((PAGE_SIZE * 4096) / c), 0);
  return {
    rss: counts.length * PAGE_SIZE,
    pss: Math.floor(pssFixed / 4096 / 1024) * 1024,
    uss: single * PAGE_SIZE,
    shared: shared * PAGE_SIZE,
    privateDirty: dirty ? single * PAGE_SIZE : 0,
    sharedDirty: dirty ? shared * PAGE_SIZE : 0,
    privateClean: dirty ? 0 : single * PAGE_SIZE,
    sharedClean: dirty ? 0 : shared * PAGE_SIZE,
  };
}

function pick(m: MappingJson | ProcessJson) {
  const { rss, pss, uss, shared, privateDirty, sharedDirty, privateClean, sharedClean } = m;
  return { rss, pss, uss, shared, privateDirty, sharedDirty, privateClean, sharedClean };
}

let family: Family;

beforeAll(async () => {
  family = await startFamily({ uid: NOBODY });
}, 120_000);

afterAll(async () => {
  await family?.stop();
});

function snapshotAsNobody(pids: number[]) {
  return runJson(['--mappings', '-p', pids.join(',')], { uid: NOBODY });
}

/** Rollup totals in the units of memtop's JSON (bytes). */
function rollupCounters(pid: number) {
  const r = readRollup(pid);
  return {
    rss: r['Rss']! * 1024,
    pss: r['Pss']! * 1024,
    uss: (r['Private_Clean']! + r['Private_Dirty']!) * 1024,
    shared: (r['Shared_Clean']! + r['Shared_Dirty']!) * 1024,
    privateDirty: r['Private_Dirty']! * 1024,
    sharedDirty: r['Shared_Dirty']! * 1024,
    privateClean: r['Private_Clean']! * 1024,
    sharedClean: r['Shared_Clean']! * 1024,
  };
}

/**
 * Runs memtop as nobody in batch mode, and reads each pid's smaps_rollup right after its first
 * frame, while it sleeps before the second: without PFNs memtop takes none of its own mappings
 * out (see _The observer effect_ in docs/DESIGN.md), so its figures are the kernel's while it
 * runs.
 */
function frameBesideRollups(
  pids: number[],
): Promise<[SnapshotJson, ReturnType<typeof rollupCounters>[]]> {
  const child = spawn(
    'setpriv',
    [
      `--reuid=${NOBODY}`,
      `--regid=${NOBODY}`,
      '--clear-groups',
      process.execPath,
      CLI,
      '-b',
      '--json',
      '-n',
      '2',
      '-d',
      '2',
      '-p',
      pids.join(','),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, NO_COLOR: '1' } },
  );
  return new Promise((resolve, reject) => {
    let text = '';
    child.on('error', reject);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      text += chunk;
      const end = text.indexOf('\n');
      if (end < 0) return;
      child.stdout.removeAllListeners('data');
      const kernel = pids.map(rollupCounters);
      child.kill();
      resolve([JSON.parse(text.slice(0, end)) as SnapshotJson, kernel]);
    });
    child.on('exit', (code) => {
      if (text.indexOf('\n') < 0) reject(new Error(`memtop exited (${code}) before a frame`));
    });
  });
}

describe('as a plain user', () => {
  it('says what is missing and samples its own processes from smaps', () => {
    const snap = snapshotAsNobody([family.parent.pid]);
    expect(snap.privileged).toBe(false);
    expect(snap.notices.join(' ')).toMatch(/CAP_SYS_ADMIN.*root/);
    const parent = snap.processes[0]!;
    expect(parent).toMatchObject({
      pid: family.parent.pid,
      restricted: false,
      access: 'flags',
      user: 'nobody',
    });
  });

  it('reports the exact page counts of each mapping of its own fork family', () => {
    const pids = [family.parent.pid, ...family.children];
    const snap = snapshotAsNobody(pids);
    [-1, 0, 1, 2].forEach((who, i) => {
      const p = snap.processes.find((x) => x.pid === pids[i])!;
      const anon = p.mappings!.find((m) => m.start === `0x${family.anon.toString(16)}`)!;
      expect(pick(anon), `process ${who}`).toEqual(
        expected(
          range(ANON_PAGES, (pg) => anonCount(who, pg)),
          true,
        ),
      );
    });
    const parent = snap.processes.find((x) => x.pid === family.parent.pid)!;
    const file = parent.mappings!.find((m) => m.start === `0x${family.file.toString(16)}`)!;
    expect(pick(file)).toEqual(
      expected(
        range(FILE_PAGES, (p) => (p < FILE_PAGES_OTHER ? 3 : 2)),
        false,
      ),
    );
  });

  it('reads 20,000 mappings of its own process', () => {
    const snap = snapshotAsNobody([family.sparse.pid]);
    const mappings = snap.processes[0]!.mappings!;
    const ones = mappings.filter(
      (m) => m.rss === PAGE_SIZE && m.uss === PAGE_SIZE && m.privateDirty === PAGE_SIZE,
    );
    expect(ones.length).toBeGreaterThanOrEqual(MANY);
  });

  it('has totals equal to smaps_rollup', async () => {
    // Every process maps the vDSO, so a running memtop lowers the others' PSS a little: the
    // kernel's figures are read while memtop is still running, between two of its frames.
    const pids = [family.parent.pid, ...family.children, family.other.pid];
    let last: unknown;
    let ok = false;
    for (let attempt = 0; attempt < 5 && !ok; attempt++) {
      const [frame, kernel] = await frameBesideRollups(pids);
      const memtop = pids.map((pid) => pick(frame.processes.find((x) => x.pid === pid)!));
      last = { memtop, kernel };
      ok = JSON.stringify(memtop) === JSON.stringify(kernel);
    }
    expect(ok, JSON.stringify(last)).toBe(true);
  });

  it('shows other users’ processes as restricted with their RSS, never as zero', () => {
    const snap = snapshotAsNobody([process.pid, family.parent.pid]);
    const runner = snap.processes.find((p) => p.pid === process.pid)!;
    expect(runner.restricted).toBe(true);
    expect(runner.rss).toBeGreaterThan(0);
    expect(runner.uss).toBeNull();
    expect(runner.pss).toBeNull();
    // The sums cover the family's process only, and say that one was left out.
    const parent = snap.processes.find((p) => p.pid === family.parent.pid)!;
    expect([snap.totals['rss'], snap.totals['restrictedProcesses']]).toEqual([parent.rss, 1]);
    const table = runCli(['snapshot', '-p', String(process.pid)], { uid: NOBODY }).stdout;
    expect(table).toMatch(/restricted/);
    expect(table).toContain('sharing saves 0 B (1 restricted process left out)');
  });

  it('lists its own pages from pagemap flags: −1 where mapped once and anonymous, ? where the count is hidden', () => {
    const result = runCli(['pagemaps', String(family.children[0])], { uid: NOBODY });
    expect(result.stderr).toBe('');
    const lines = result.stdout.split('\n');
    const head = lines.findIndex((l) => l.startsWith(`${family.anon.toString(16)}-`));
    const values = lines.slice(head + 1, head + 2)[0]!.split(' ');
    expect(values).toEqual(
      range(ANON_PAGES, (p) => p).map((p) => (anonCount(0, p) === 1 ? '-1' : '?')),
    );
  });

  it('refuses the page listing of another user’s process with one line', () => {
    const result = runCli(['pagemaps', String(process.pid)], { uid: NOBODY });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^memtop: process \d+ is restricted: .*\n$/);
  });
});
