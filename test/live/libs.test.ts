// `memtop libs`: one row per mapped file across processes, checked against what the test made.
import { closeSync, fsyncSync, mkdtempSync, openSync, rmSync, writeSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { PAGE_SIZE, Workload } from '../helpers/workload.js';

const K = 4;
const PAGES = 24;
const WRITTEN = 5;

let dir: string;
const workloads: Workload[] = [];

function makeFile(name: string): string {
  const path = join(dir, name);
  const fd = openSync(path, 'w', 0o644);
  for (let p = 0; p < PAGES; p++) writeSync(fd, Buffer.alloc(PAGE_SIZE, p + 1));
  fsyncSync(fd);
  closeSync(fd);
  return path;
}

interface LibJson {
  path: string;
  processes: number;
  rss: number;
  pss: number;
  uss: number;
  shared: number;
  privateDirty: number;
  sharingRatio: number;
  users: { pid: number; rss: number; pss: number; uss: number; privateDirty: number }[];
}

function libs(pids: number[]): LibJson[] {
  const result = runCli(['libs', '--json', '-p', pids.join(',')]);
  expect(result.stderr).toBe('');
  return (JSON.parse(result.stdout) as { libraries: LibJson[] }).libraries;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'memtop-libs-'));
  chmodSync(dir, 0o755);
  for (let i = 0; i < K; i++) workloads.push(await Workload.start());
}, 60_000);

afterAll(async () => {
  await Promise.all(workloads.map((w) => w.stop()));
  rmSync(dir, { recursive: true, force: true });
});

describe('memtop libs (root)', () => {
  it('shows a file mapped by K processes with PSS = RSS / K and no private pages', async () => {
    const path = makeFile('lib-shared.so');
    for (const w of workloads) await w.file(path, PAGES);
    const row = libs(workloads.map((w) => w.pid)).find((l) => l.path === path)!;
    expect(row).toMatchObject({
      processes: K,
      rss: K * PAGES * PAGE_SIZE,
      pss: PAGES * PAGE_SIZE,
      uss: 0,
      shared: K * PAGES * PAGE_SIZE,
      privateDirty: 0,
      sharingRatio: K,
    });
    expect(row.pss).toBe(row.rss / K);
    for (const u of row.users)
      expect(u).toMatchObject({ rss: PAGES * PAGE_SIZE, pss: (PAGES * PAGE_SIZE) / K, uss: 0 });
  });

  it('shows pages a process wrote in its private mapping (.data) as private to that process', async () => {
    const path = makeFile('lib-data.so');
    const addresses: number[] = [];
    for (const w of workloads) addresses.push(await w.filePrivate(path, PAGES));
    await workloads[0]!.write(addresses[0]!, 0, WRITTEN);
    const row = libs(workloads.map((w) => w.pid)).find((l) => l.path === path)!;
    expect(row.processes).toBe(K);
    const writer = row.users.find((u) => u.pid === workloads[0]!.pid)!;
    expect(writer).toMatchObject({
      uss: WRITTEN * PAGE_SIZE,
      privateDirty: WRITTEN * PAGE_SIZE,
      rss: PAGES * PAGE_SIZE,
    });
    for (const u of row.users.filter((x) => x.pid !== workloads[0]!.pid)) expect(u.uss).toBe(0);
    expect(row.uss).toBe(WRITTEN * PAGE_SIZE);
    expect(row.users[0]!.pid).toBe(workloads[0]!.pid); // the process holding the most privately comes first
  });
});
