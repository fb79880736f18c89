// Address space is not memory: a process with a 16 TiB MAP_NORESERVE region touched in a few
// places, and an AddressSanitizer binary (~14 TiB of shadow), sampled as root by every command
// and by the sampler itself. Each must cost what its resident pages cost and fail nothing.
import { execFileSync, spawn, spawnSync, type ChildProcessByStdio } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { pssBytes } from '../../src/model/counters.js';
import { Sampler } from '../../src/sampler/sampler.js';
import { CLI, runCli } from '../helpers/cli.js';
import { readRollup } from '../helpers/smaps.js';
import { PAGE_SIZE, Workload } from '../helpers/workload.js';

/** 16 TiB of 4 KiB pages. */
const SPARSE_PAGES = 2 ** 32;
/** Written: [first page, pages], at the start, in the middle and at the very end. */
const WRITTEN: [number, number][] = [
  [0, 64],
  [2 ** 31, 32],
  [SPARSE_PAGES - 16, 16],
];
const WRITTEN_PAGES = WRITTEN.reduce((n, [, k]) => n + k, 0);
/** What memtop may take for all of this: far from the gigabytes that address ranges took. */
const PEAK_RSS_LIMIT_KB = 400 * 1024;
const ENGINE_BYTES_LIMIT = 64 * 2 ** 20;

const ASAN_SOURCE = `
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
int main(void) {
  size_t n = 8 << 20;
  char *p = malloc(n);
  memset(p, 1, n);
  printf("ready\\n");
  fflush(stdout);
  getchar();
  free(p);
  return 0;
}
`;

let dir: string;
let sparse: Workload;
let region: number;
let asan: ChildProcessByStdio<Writable, Readable, null>;

/** Builds the AddressSanitizer program; CI installs libasan, so a failure here is an error. */
function buildAsan(): string {
  const source = join(dir, 'asan.c');
  const binary = join(dir, 'asan');
  writeFileSync(source, ASAN_SOURCE);
  const built = spawnSync('gcc', ['-fsanitize=address', '-O1', '-o', binary, source], {
    encoding: 'utf8',
  });
  if (built.status !== 0) {
    throw new Error(
      `gcc -fsanitize=address failed (is libasan installed? .ci/run installs it): ${built.stderr}`,
    );
  }
  return binary;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'memtop-sparse-'));
  sparse = await Workload.start();
  region = await sparse.lazy(false, SPARSE_PAGES);
  for (const [first, pages] of WRITTEN) await sparse.write(region + first * PAGE_SIZE, 0, pages);
  asan = spawn(buildAsan(), [], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: asan.stdout })[Symbol.asyncIterator]();
  expect((await lines.next()).value).toBe('ready');
}, 60_000);

afterAll(async () => {
  asan?.stdin.end();
  await sparse?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The largest mapping of a process, in bytes. */
function largestMapping(pid: number): number {
  const maps = execFileSync('cat', [`/proc/${pid}/maps`], { encoding: 'utf8' });
  let largest = 0;
  for (const line of maps.split('\n')) {
    const m = /^([0-9a-f]+)-([0-9a-f]+) /.exec(line);
    if (m) largest = Math.max(largest, parseInt(m[2]!, 16) - parseInt(m[1]!, 16));
  }
  return largest;
}

/** Runs the CLI under python3, which reports the child's peak RSS (ru_maxrss, kB) on stderr. */
function runMeasured(args: string[]): { status: number; stdout: string; peakKb: number } {
  const script =
    'import resource, subprocess, sys\n' +
    'r = subprocess.run(sys.argv[1:])\n' +
    'sys.stderr.write("peak-kb=%d\\n" % resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n' +
    'sys.exit(r.returncode)\n';
  const result = spawnSync('python3', ['-c', script, process.execPath, CLI, ...args], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
    maxBuffer: 1 << 30,
    timeout: 120_000,
  });
  const peak = /peak-kb=(\d+)/.exec(result.stderr);
  if (!peak) throw new Error(`no peak RSS reported: ${result.stderr}`);
  expect(result.stderr.replace(peak[0], '').trim()).toBe('');
  return { status: result.status ?? -1, stdout: result.stdout, peakKb: Number(peak[1]) };
}

interface JsonProcess {
  pid: number;
  access: string;
  rss: number | null;
  pss: number | null;
}

function processIn(doc: { processes: JsonProcess[] }, pid: number): JsonProcess {
  const p = doc.processes.find((q) => q.pid === pid);
  if (!p) throw new Error(`process ${pid} missing`);
  return p;
}

describe('huge sparse mappings (root)', () => {
  it('are what the test made: 16 TiB mapped, a few pages resident; ASan maps terabytes', () => {
    expect(largestMapping(sparse.pid)).toBe(SPARSE_PAGES * PAGE_SIZE);
    expect(largestMapping(asan.pid!)).toBeGreaterThan(2 ** 43);
    expect(readRollup(sparse.pid)['Rss']).toBeLessThan(64 * 1024);
  });

  it('snapshot --json counts them as smaps_rollup does, with a small peak RSS', () => {
    const pids = [sparse.pid, asan.pid!];
    const run = runMeasured(['snapshot', '--json', '-p', pids.join(',')]);
    expect(run.status).toBe(0);
    const doc = JSON.parse(run.stdout) as { processes: JsonProcess[]; notices: string[] };
    for (const pid of pids) {
      const p = processIn(doc, pid);
      const kernel = readRollup(pid);
      expect(p.access).toBe('pages');
      expect(p.rss! / 1024).toBe(kernel['Rss']);
      if (pid === sparse.pid) {
        expect(Math.floor(p.pss! / 1024)).toBe(kernel['Pss']);
      } else {
        // The ASan program shares libc with memtop, whose exit moves its clean file pages'
        // share counts (the observer effect): PSS within those pages.
        expect(Math.abs(p.pss! / 1024 - kernel['Pss']!)).toBeLessThan(kernel['Rss']! / 100 + 64);
      }
    }
    expect(run.peakKb).toBeLessThan(PEAK_RSS_LIMIT_KB);
  });

  it('sample in every command: -b, libs, shares', { timeout: 300_000 }, () => {
    const batch = runCli(['-b', '-n', '2', '-d', '0.2', '--json', '-p', String(sparse.pid)]);
    expect(batch.stderr).toBe('');
    expect(batch.status).toBe(0);
    const frames = batch.stdout.trim().split('\n');
    expect(frames).toHaveLength(2);
    for (const frame of frames) {
      const doc = JSON.parse(frame) as { processes: JsonProcess[] };
      expect(processIn(doc, sparse.pid).rss! / 1024).toBe(readRollup(sparse.pid)['Rss']);
    }
    // libs and shares sample every process: the whole host, these two included.
    const libs = runCli(['libs', '--json']);
    expect(libs.stderr).toBe('');
    expect(libs.status).toBe(0);
    expect(JSON.parse(libs.stdout)).toBeTruthy();
    for (const pid of [sparse.pid, asan.pid!]) {
      const shares = runCli(['shares', String(pid), '--json']);
      expect(shares.stderr).toBe('');
      expect(shares.status).toBe(0);
      expect(JSON.parse(shares.stdout)).toBeTruthy();
    }
  });

  it('pagemaps lists the resident pages of 16 TiB in a few lines, holes folded', () => {
    const result = runCli(['pagemaps', String(sparse.pid)]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout.length).toBeLessThan(1 << 20);
    const lines = result.stdout.split('\n');
    const head = lines.findIndex((l) => l.startsWith(`${region.toString(16)}-`));
    expect(head).toBeGreaterThanOrEqual(0);
    // The listing's pages: each folded run stands for its lines of 0; the others, cell by cell.
    const nonZero = new Map<number, number>();
    let page = 0;
    for (let i = head + 1; page < SPARSE_PAGES && i < lines.length; i++) {
      const folded = /^\* (\d+) more lines of 0$/.exec(lines[i]!);
      if (folded) {
        page += Number(folded[1]) * 512;
        continue;
      }
      for (const cell of lines[i]!.split(' ')) {
        if (cell !== '0') nonZero.set(page, Number(cell));
        page++;
      }
    }
    expect(page).toBe(SPARSE_PAGES);
    // Written pages are private dirty anonymous pages (−1); every other page is 0.
    const written = new Map<number, number>();
    for (const [first, pages] of WRITTEN) {
      for (let p = first; p < first + pages; p++) written.set(p, -1);
    }
    expect(nonZero).toEqual(written);
    expect(lines.length).toBeLessThan(200);
  });

  it('the sampler reads only populated ranges, keeps its buffers small, and counts exactly', () => {
    const sampler = Sampler.open();
    try {
      const snapshot = sampler.sample({ pids: [sparse.pid, asan.pid!], mappings: true });
      expect(snapshot.notices).toEqual([]);
      for (const pid of [sparse.pid, asan.pid!]) {
        const p = snapshot.processes.find((q) => q.pid === pid)!;
        const kernel = readRollup(pid);
        expect(p.totals.rssBytes / 1024).toBe(kernel['Rss']);
        // The ASan program's libc pages are shared with this runner, whose own activity may
        // move their share counts; the static workload shares nothing.
        if (pid === sparse.pid) expect(Math.floor(pssBytes(p.totals) / 1024)).toBe(kernel['Pss']);
      }
      const m = snapshot.processes
        .find((q) => q.pid === sparse.pid)!
        .mappings!.find((x) => x.start === region)!;
      expect(m.counters.rssBytes).toBe(WRITTEN_PAGES * PAGE_SIZE);
      expect(m.counters.privateDirtyBytes).toBe(WRITTEN_PAGES * PAGE_SIZE);
      if (sampler.pagemapScan.used) {
        // Planned over what PAGEMAP_SCAN found: entries near the pages, not 2^32 of them.
        expect(sampler.lastStats.pagemapScans).toBeGreaterThan(0);
        expect(sampler.lastStats.pagemapRangeEntries).toBeLessThan(2 ** 26);
      }
      expect(sampler.engineBufferBytes).toBeLessThan(ENGINE_BYTES_LIMIT);
      // Kept page by page, as the focused process and pagemaps are.
      const kept = sampler.sample({ pids: [sparse.pid], pages: true, mappings: true });
      const k = kept.processes[0]!;
      const mk = k.mappings!.find((x) => x.start === region)!;
      expect(mk.pageEnd - mk.pageBegin).toBe(WRITTEN_PAGES);
      const index = k.pages!.pageIndex.subarray(mk.pageBegin, mk.pageEnd);
      expect(Array.from(index.subarray(64, 66))).toEqual([2 ** 31, 2 ** 31 + 1]);
      expect(index[WRITTEN_PAGES - 1]).toBe(SPARSE_PAGES - 1);
      expect(sampler.engineBufferBytes).toBeLessThan(ENGINE_BYTES_LIMIT);
    } finally {
      sampler.close();
    }
  });

  it('a process past what plain reads may take: status counters and a notice, or its pages', async () => {
    // 64 TiB: more than 2^33 entries to read without PAGEMAP_SCAN, more than 2^32 pages kept.
    const huge = await Workload.start();
    try {
      const at = await huge.lazy(false, 2 ** 34);
      await huge.write(at + 2 ** 33 * PAGE_SIZE, 0, 8);
      const plain = Sampler.open({ pagemapScan: false });
      try {
        const snapshot = plain.sample({ pids: [huge.pid] });
        const p = snapshot.processes.find((q) => q.pid === huge.pid)!;
        expect(p.scannedAtMs).toBeNaN();
        expect(p.totals.rssBytes / 1024).toBe(readRollup(huge.pid)['Rss']);
        expect(Number.isNaN(p.totals.ussBytes)).toBe(true);
        expect(snapshot.notices.join('\n')).toContain(
          `process ${huge.pid}: maps more address space`,
        );
      } finally {
        plain.close();
      }
      const sampler = Sampler.open();
      try {
        if (!sampler.pagemapScan.used) return;
        // With the module it is read where its pages are; kept, it is counted, not listed.
        const snapshot = sampler.sample({ pids: [huge.pid], pages: true, mappings: true });
        const p = snapshot.processes[0]!;
        expect(p.scannedAtMs).toBeUndefined();
        expect(p.totals.rssBytes / 1024).toBe(readRollup(huge.pid)['Rss']);
        expect(Math.floor(pssBytes(p.totals) / 1024)).toBe(readRollup(huge.pid)['Pss']);
        expect(p.mappings!.find((m) => m.start === at)!.counters.rssBytes).toBe(8 * PAGE_SIZE);
        expect(snapshot.notices.join('\n')).toContain(`process ${huge.pid}: a mapping of more`);
      } finally {
        sampler.close();
      }
    } finally {
      await huge.stop();
    }
  });

  it(
    'the interactive view goes on sampling and shows the process list',
    { timeout: 90_000 },
    async () => {
      const socket = `memtop-sparse-${process.pid}`;
      const tmux = (...args: string[]) =>
        execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
      tmux(
        'new-session',
        '-d',
        '-s',
        'sparse',
        '-x',
        '120',
        '-y',
        '40',
        `env CI=false TERM=xterm-256color ${CLI} -d 0.5 --budget off -p ${sparse.pid},${asan.pid}; ` +
          'echo memtop-exit=$?; sleep 30',
      );
      try {
        const screen = () => tmux('capture-pane', '-p', '-t', 'sparse');
        const clock = (text: string) => /^memtop (\d\d:\d\d:\d\d) /.exec(text)?.[1];
        // The header's clock moves with each sample: wait for three different ones.
        const seen = new Set<string>();
        await vi.waitFor(
          () => {
            const text = screen();
            expect(text).not.toContain('memtop-exit=');
            const time = clock(text);
            if (time) seen.add(time);
            expect(seen.size).toBeGreaterThanOrEqual(3);
          },
          { timeout: 30_000, interval: 100 },
        );
        const text = screen();
        expect(text).not.toContain('internal error');
        expect(text).toMatch(/\n\s*PID +USER /);
        for (const pid of [sparse.pid, asan.pid!])
          expect(text).toMatch(new RegExp(`\\n\\s*${pid} `));
      } finally {
        try {
          tmux('kill-server');
        } catch {
          // already gone
        }
      }
    },
  );
});
