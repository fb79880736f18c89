// Processes that exit while they are sampled. Between exit_mm() and becoming a zombie a process
// has no memory: its maps, pagemap and statm read empty while stat still says R or D. Such a
// process is gone, not a live process of 0 bytes.
//
// What the kernel supports as the assertion: a process that has an mm holds at least one
// resident page (the stack page that execve() writes argv into; a child before exec holds
// its parent's pages, copied at fork), and this host has no swap to move it to. So a row of
// rss + swap 0 for one of these processes can only be one whose memory was already gone.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Sampler } from '../../src/sampler/sampler.js';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** Each child writes 64 MiB and exits: its exit_mmap() takes long enough to be caught in. */
const LOOP = 'while :; do dd if=/dev/zero of=/dev/null bs=64M count=1 2>/dev/null; done';
const LOOPS = 2;
/** Rows of exiting children to see before the assertion means something. */
const ROWS_WANTED = 300;
const DEADLINE_MS = 40_000;
const SERVER = fileURLToPath(new URL('../helpers/sampler-server.mjs', import.meta.url));

let loops: ChildProcess[] = [];

beforeAll(() => {
  loops = Array.from({ length: LOOPS }, () => spawn('sh', ['-c', LOOP], { stdio: 'ignore' }));
});

afterAll(() => {
  for (const loop of loops) loop.kill('SIGKILL');
});

/** The loops' current children (whatever state they are in). */
function children(): number[] {
  return loops.flatMap((loop) => {
    try {
      const text = readFileSync(`/proc/${loop.pid}/task/${loop.pid}/children`, 'latin1');
      return text.split(' ').filter(Boolean).map(Number);
    } catch {
      return [];
    }
  });
}

function hasSwap(): boolean {
  return !/^SwapTotal:\s+0 kB$/m.test(readFileSync('/proc/meminfo', 'latin1'));
}

describe('a process that exits while it is sampled', () => {
  for (const unprivileged of [false, true]) {
    it(`is never a row of 0 bytes (${unprivileged ? 'smaps_rollup' : 'PFNs'})`, () => {
      expect(hasSwap(), 'the assertion needs a host without swap').toBe(false);
      const sampler = Sampler.open({ unprivileged, threads: 1 });
      try {
        let rows = 0;
        const empty: string[] = [];
        const until = Date.now() + DEADLINE_MS;
        while (rows < ROWS_WANTED && Date.now() < until) {
          const pids = children();
          if (pids.length === 0) continue;
          for (const p of sampler.sample({ pids }).processes) {
            if (!loops.some((loop) => loop.pid === p.ppid)) continue; // the pid was reused
            rows++;
            if (p.totals.rssBytes + p.totals.swapBytes === 0) {
              empty.push(`${p.pid} ${p.comm} ${p.state}`);
            }
          }
        }
        expect(rows).toBeGreaterThanOrEqual(ROWS_WANTED);
        expect(empty).toEqual([]);
      } finally {
        sampler.close();
      }
    }, 60_000);
  }

  it('is never a restricted row of 0 bytes (statm, read by another user)', async () => {
    expect(hasSwap()).toBe(false);
    // A sampler running as uid 65534: root's children are restricted, their RSS from statm.
    const server = spawn(
      'setpriv',
      ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, SERVER],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    const replies = createInterface({ input: server.stdout! })[Symbol.asyncIterator]();
    try {
      let rows = 0;
      const empty: string[] = [];
      const until = Date.now() + DEADLINE_MS;
      while (rows < ROWS_WANTED && Date.now() < until) {
        const pids = children();
        if (pids.length === 0) continue;
        server.stdin!.write(`sample ${pids.join(',')}\n`);
        const reply = JSON.parse((await replies.next()).value as string) as {
          processes: { pid: number; ppid: number; access: string; rssBytes: number }[];
        };
        for (const p of reply.processes) {
          if (!loops.some((loop) => loop.pid === p.ppid)) continue;
          rows++;
          expect(p.access).toBe('restricted');
          if (p.rssBytes === 0) empty.push(String(p.pid));
        }
      }
      expect(rows).toBeGreaterThanOrEqual(ROWS_WANTED);
      expect(empty).toEqual([]);
    } finally {
      server.kill('SIGKILL');
    }
  }, 60_000);
});
