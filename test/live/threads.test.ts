// Threads are not processes: /proc lists only thread-group leaders, but /proc/TID of any thread
// reads like a process. A thread id given with -p stands for its process, once; in a pid
// namespace memtop finds itself (and only its process) all the same.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CLI, runCli, runJson, type SnapshotJson } from '../helpers/cli.js';

let child: ChildProcess;
let pid: number;
let tid: number;

beforeAll(async () => {
  // Node starts its platform and libuv threads at once.
  child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1e6)'], { stdio: 'ignore' });
  pid = child.pid!;
  await vi.waitFor(
    () => {
      const tids = readdirSync(`/proc/${pid}/task`).map(Number);
      tid = tids.find((t) => t !== pid)!;
      expect(tid).toBeDefined();
    },
    { timeout: 10_000 },
  );
});

afterAll(() => {
  child?.kill('SIGKILL');
});

describe('a thread id', () => {
  it('given with -p stands for its process, once, counted once', () => {
    const both = runJson(['-p', `${pid},${tid}`]);
    expect(both.processes.map((p) => p.pid)).toEqual([pid]);
    expect(both.totals['processes']).toBe(1);
    expect(both.totals['rss']).toBe(both.processes[0]!.rss);
    expect(runJson(['-p', String(tid)]).processes.map((p) => p.pid)).toEqual([pid]);
    const batch = runCli(['-b', '-n', '1', '--json', '-p', String(tid)]);
    expect(batch.status).toBe(0);
    expect((JSON.parse(batch.stdout) as SnapshotJson).processes.map((p) => p.pid)).toEqual([pid]);
    const libs = runCli(['libs', '--json', '-p', `${tid},${pid}`]);
    const node = (
      JSON.parse(libs.stdout) as { libraries: { path: string; users: { pid: number }[] }[] }
    ).libraries.find((l) => l.users.some((u) => u.pid === pid))!;
    expect(node.users.map((u) => u.pid)).toEqual([pid]);
  });

  it('names its process for pagemaps', () => {
    const byTid = runCli(['pagemaps', String(tid)]);
    expect(byTid.status).toBe(0);
    expect(byTid.stdout.split('\n', 1)[0]).toBe(
      runCli(['pagemaps', String(pid)]).stdout.split('\n', 1)[0],
    );
  });

  it('is never listed as a process', () => {
    const all = runJson([]);
    expect(all.processes.some((p) => p.pid === tid)).toBe(false);
    expect(all.processes.filter((p) => p.pid === pid)).toHaveLength(1);
  });
});

describe('in a pid namespace', () => {
  it('memtop leaves out itself, not the process with its namespace pid (1), on the host /proc', () => {
    // Without --mount-proc, /proc is the host's: memtop is pid 1 in its namespace, another pid
    // there.
    const r = runUnshared([]);
    const memtop = r.snap.processes.filter((p) => p.ppid === r.unsharePid);
    expect(memtop).toEqual([]);
    expect(r.snap.processes.some((p) => p.pid === 1)).toBe(true);
  });

  it('lists memtop (with --include-self) as one process, none of its threads', () => {
    const r = runUnshared(['--mount-proc'], ['--include-self']);
    expect(r.snap.processes.map((p) => p.pid)).toEqual([1]);
  });
});

/** memtop snapshot --json in a new pid namespace (unshare --fork: memtop is its child). */
function runUnshared(unshare: string[], args: string[] = []) {
  const result = spawnSync(
    'unshare',
    ['--pid', '--fork', ...unshare, process.execPath, CLI, 'snapshot', '--json', ...args],
    { encoding: 'utf8', maxBuffer: 1 << 28, timeout: 120_000 },
  );
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  return { snap: JSON.parse(result.stdout) as SnapshotJson, unsharePid: result.pid };
}
