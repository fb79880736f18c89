// memtop must not change what it measures: a dynamically linked process shares libc with
// memtop, so any libc page memtop faults in while it runs would change that process's share
// counts. Its frames must stay identical, and equal smaps_rollup read while memtop runs.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../helpers/cli.js';
import { readRollup } from '../helpers/smaps.js';
import { Workload } from '../helpers/workload.js';

let workload: Workload;

beforeAll(async () => {
  workload = await Workload.start({ static: false });
  const region = await workload.anon(64);
  await workload.fork(1);
  await workload.child(0).write(region, 0, 16);
}, 60_000);

afterAll(async () => {
  await workload?.stop();
});

interface Frame {
  pss: number;
  uss: number;
  shared: number;
  rss: number;
}

describe('the observer effect', () => {
  it('keeps a libc-sharing process’s numbers still while memtop samples it, equal to smaps_rollup', async () => {
    const pid = workload.pid;
    const child = spawn(
      process.execPath,
      [CLI, '--batch', '--json', '-n', '4', '-d', '0.4', '-p', String(pid)],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const frames: Frame[] = [];
    const kernel: Frame[] = [];
    for await (const line of createInterface({ input: child.stdout })) {
      // Read the kernel's view at once, while memtop is alive and between its samples.
      const r = readRollup(pid);
      kernel.push({
        pss: r['Pss']!,
        uss: r['Private_Clean']! + r['Private_Dirty']!,
        shared: r['Shared_Clean']! + r['Shared_Dirty']!,
        rss: r['Rss']!,
      });
      const p = JSON.parse(line).processes[0];
      frames.push({
        pss: Math.floor(p.pss / 1024),
        uss: p.uss / 1024,
        shared: p.shared / 1024,
        rss: p.rss / 1024,
      });
    }
    expect(frames).toHaveLength(4);
    expect(new Set(frames.map((f) => JSON.stringify(f))).size).toBe(1);
    expect(frames).toEqual(kernel);
  });
});
