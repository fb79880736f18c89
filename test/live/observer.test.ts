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

/** Runs memtop for a few frames of one process; each frame paired with smaps_rollup read at once. */
async function watch(pid: number): Promise<{ frames: Frame[]; kernel: Frame[] }> {
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
  return { frames, kernel };
}

describe('the observer effect', () => {
  it('keeps a libc-sharing process’s numbers still while memtop samples it, equal to smaps_rollup', async () => {
    // Any other process that starts or exits on this machine maps or unmaps libc and moves the
    // PSS of every libc user; such noise is random, memtop's own disturbance is not (without
    // the prefault it shows on every run). So a noisy run is retried, a few times at most.
    let last: { frames: Frame[]; kernel: Frame[] } | undefined;
    for (let attempt = 0; attempt < 4; attempt++) {
      last = await watch(workload.pid);
      const still = new Set(last.frames.map((f) => JSON.stringify(f))).size === 1;
      if (still && JSON.stringify(last.frames) === JSON.stringify(last.kernel)) break;
    }
    expect(last!.frames).toHaveLength(4);
    expect(new Set(last!.frames.map((f) => JSON.stringify(f))).size).toBe(1);
    expect(last!.frames).toEqual(last!.kernel);
  });
});
