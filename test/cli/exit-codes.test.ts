// One exit-status table for every command: each row, for each command, as the built bin exits
// with it, and the README's table checked against the one the errors map to.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { EXIT_TABLE } from '../../src/errors.js';
import { CLI, runCli, type CliResult, type SnapshotJson } from '../helpers/cli.js';
import { PAGE_SIZE, Workload } from '../helpers/workload.js';

const NOBODY = 65534;
/** Above any pid_max (at most 2^22): never a process. */
const GONE = 999_999_999;
const PF_KTHREAD = 0x00200000;

/**
 * Root without CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH: it still reads page frame numbers and
 * kpagecount (root's), but another user's pagemap (mode 0400, that user's) refuses it: a
 * process that refuses even root, on demand.
 */
function runRootWithoutDac(args: string[]): CliResult {
  const r = spawnSync(
    'setpriv',
    ['--bounding-set', '-dac_override,-dac_read_search', process.execPath, CLI, ...args],
    { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 120_000 },
  );
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A failure as the table wants it: one line on stderr, no stack, the status, nothing else. */
function expectFailure(result: CliResult, status: number, message: RegExp) {
  expect(result.stderr).toMatch(/^memtop: [^\n]+\n$/);
  expect(result.stderr).toMatch(message);
  expect(result.stderr).not.toMatch(/\bat .*:\d+:\d+/);
  expect(result.status).toBe(status);
}

function expectSuccess(result: CliResult) {
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
}

/** The first kernel thread listed in /proc (kthreadd is pid 2 outside a pid namespace). */
function findKernelThread(): number {
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'latin1');
      const flags = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[6]);
      if (flags & PF_KTHREAD) return Number(name);
    } catch {
      // gone meanwhile
    }
  }
  throw new Error('no kernel thread in /proc');
}

function stateOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2)[0];
  } catch {
    return undefined;
  }
}

let mine: Workload; // root's
let comm: string; // its name
let nobodys: Workload; // uid 65534's
let resident: number; // a region of `mine`, every page written
let lazy: number; // a region of `mine`, no page touched
let kernelThread: number;
let zombieParent: ChildProcess;
let zombie: number;

beforeAll(async () => {
  [mine, nobodys] = await Promise.all([
    Workload.start(),
    Workload.start({ uid: NOBODY, gid: NOBODY }),
  ]);
  comm = readFileSync(`/proc/${mine.pid}/comm`, 'latin1').trim();
  resident = await mine.anon(4);
  lazy = await mine.lazy(false, 4);
  kernelThread = findKernelThread();
  // sh forks `sleep 0`, then becomes `sleep 600`, which never reaps it: a zombie.
  zombieParent = spawn('sh', ['-c', 'sleep 0 & exec sleep 600'], { stdio: 'ignore' });
  const parent = zombieParent.pid!;
  zombie = await vi.waitFor(
    () => {
      const children = readFileSync(`/proc/${parent}/task/${parent}/children`, 'latin1').trim();
      const pid = Number(children.split(' ')[0]);
      if (!pid || stateOf(pid) !== 'Z') throw new Error('no zombie yet');
      return pid;
    },
    { timeout: 10_000, interval: 20 },
  );
}, 120_000);

afterAll(async () => {
  zombieParent?.kill('SIGKILL');
  await Promise.all([mine?.stop(), nobodys?.stop()]);
});

describe('the exit-status table', () => {
  it('is the one in the README, row for row', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('\n## Exit status\n'));
    const body = section.slice(0, section.indexOf('\n## ', 1));
    const rows = body
      .split('\n')
      .filter((line) => line.startsWith('|'))
      .slice(2) // the header and its rule
      .map((line) =>
        line
          .slice(1, -1)
          .split('|')
          .map((cell) => cell.trim()),
      );
    expect(rows).toEqual(
      EXIT_TABLE.map((row) => [String(row.status), row.code && `\`${row.code}\``, row.condition]),
    );
  });
});

describe.each([
  ['snapshot', (pids: string) => ['snapshot', '-p', pids]],
  ['batch mode', (pids: string) => ['-b', '-n', '2', '-d', '0.1', '-p', pids]],
  ['libs', (pids: string) => ['libs', '-p', pids]],
])('%s -p', (_name, command) => {
  it('exits 0 with the process shown', () => {
    const result = runCli(command(String(mine.pid)));
    expectSuccess(result);
    expect(result.stdout).not.toBe('');
  });

  it('exits 1, printing nothing, for a pid that is no process', () => {
    const result = runCli(command(String(GONE)));
    expectFailure(result, 1, new RegExp(`^memtop: no such process: ${GONE}\\n$`));
    expect(result.stdout).toBe('');
  });

  it('exits 1, printing nothing, for a kernel thread', () => {
    const result = runCli(command(String(kernelThread)));
    expectFailure(result, 1, new RegExp(`process ${kernelThread} \\(.+\\) is a kernel thread`));
    expect(result.stdout).toBe('');
  });

  it('exits 1, printing nothing, for a zombie', () => {
    const result = runCli(command(String(zombie)));
    expectFailure(result, 1, new RegExp(`process ${zombie} \\(sleep\\) is a zombie`));
    expect(result.stdout).toBe('');
  });

  it('exits 3 when some pids given are missing, showing the others and naming the rest', () => {
    const result = runCli(command(`${mine.pid},${GONE},${kernelThread}`));
    expectFailure(
      result,
      3,
      new RegExp(
        `^memtop: not shown: no such process: ${GONE}; process ${kernelThread} \\(.+\\) is a kernel thread: it has no user memory\\n$`,
      ),
    );
    expect(result.stdout).not.toBe('');
  });
});

describe('restricted processes given with -p', () => {
  it('are a row with their RSS in snapshot and batch mode (exit 0)', () => {
    const snap = runCli(['snapshot', '--json', '-p', String(mine.pid)], { uid: NOBODY });
    expectSuccess(snap);
    const p = (JSON.parse(snap.stdout) as SnapshotJson).processes[0]!;
    expect(p).toMatchObject({ pid: mine.pid, restricted: true });
    expect(p.rss).toBeGreaterThan(0);
    const batch = runCli(['-b', '--json', '-n', '1', '-p', String(mine.pid)], { uid: NOBODY });
    expectSuccess(batch);
    expect((JSON.parse(batch.stdout) as SnapshotJson).processes[0]).toMatchObject({
      pid: mine.pid,
      restricted: true,
    });
  });

  it('make libs exit 1 (nothing to list) or 3 beside processes it can list', () => {
    expectFailure(
      runCli(['libs', '-p', String(mine.pid)], { uid: NOBODY }),
      1,
      new RegExp(`^memtop: process ${mine.pid} is restricted: .*\\(try as root\\)\\n$`),
    );
    const some = runCli(['libs', '-p', `${nobodys.pid},${mine.pid}`], { uid: NOBODY });
    expectFailure(some, 3, new RegExp(`^memtop: not shown: process ${mine.pid} is restricted`));
    expect(some.stdout).not.toBe('');
  });
});

describe.each([
  ['pagemaps', (pid: number) => ['pagemaps', String(pid)]],
  ['shares', (pid: number) => ['shares', String(pid)]],
])('%s PID', (name, command) => {
  it('exits 0 for a process', () => {
    const result = runCli(command(mine.pid));
    expectSuccess(result);
    expect(result.stdout).not.toBe('');
  });

  it('exits 1 for a pid that is no process, a kernel thread or a zombie', () => {
    expectFailure(runCli(command(GONE)), 1, new RegExp(`^memtop: no such process: ${GONE}\\n$`));
    expectFailure(
      runCli(command(kernelThread)),
      1,
      new RegExp(`^memtop: process ${kernelThread} \\(.+\\) is a kernel thread`),
    );
    expectFailure(
      runCli(command(zombie)),
      1,
      new RegExp(`^memtop: process ${zombie} \\(sleep\\) is a zombie`),
    );
  });

  it('exits 1 for a process whose pages even root may not read', () => {
    const result = runRootWithoutDac(command(nobodys.pid));
    expectFailure(
      result,
      1,
      new RegExp(`^memtop: process ${nobodys.pid} is restricted: .* even to root\\n$`),
    );
    expect(result.stdout).toBe('');
  });

  it('names itself when its argument is not a pid (exit 2)', () => {
    expectFailure(
      runCli([name, 'abc']),
      2,
      new RegExp(`^memtop: ${name} expects a process id like 1234; got "abc"\\n$`),
    );
    expectFailure(runCli([name, '12,34']), 2, new RegExp(`^memtop: ${name} expects a process id`));
  });
});

describe('pagemaps and shares without privilege', () => {
  it('pagemaps exits 1 for another user’s process', () => {
    expectFailure(
      runCli(['pagemaps', String(mine.pid)], { uid: NOBODY }),
      1,
      new RegExp(`^memtop: process ${mine.pid} is restricted: .*\\(try as root\\)\\n$`),
    );
  });

  it('shares exits 1: it needs page frame numbers, even for the user’s own process', () => {
    expectFailure(
      runCli(['shares', String(nobodys.pid)], { uid: NOBODY }),
      1,
      /^memtop: who shares a page needs page frame numbers: run memtop as root\n$/,
    );
  });
});

describe('shares --page', () => {
  const page = (address: number | string, json = false) =>
    runCli(['shares', String(mine.pid), '--page', String(address), ...(json ? ['--json'] : [])]);

  it('gives a resident page’s frame and map count (exit 0)', () => {
    const text = page(`0x${(resident + PAGE_SIZE + 5).toString(16)}`);
    expectSuccess(text);
    expect(text.stdout).toMatch(
      new RegExp(
        `^page 0x${(resident + PAGE_SIZE).toString(16)} of ${comm} ${mine.pid}: PFN \\d+, map count 1\\n$`,
      ),
    );
    const json = JSON.parse(page(resident, true).stdout) as Record<string, unknown>;
    expect(json).toMatchObject({ pid: mine.pid, resident: true, mapCount: 1, sharers: [] });
    expect(json['pfn']).toBeGreaterThan(0);
  });

  it('says when a mapped page is not resident (exit 0)', () => {
    const text = page(lazy);
    expectSuccess(text);
    expect(text.stdout).toBe(
      `page 0x${lazy.toString(16)} of ${comm} ${mine.pid}: mapped (anonymous memory) but not resident\n`,
    );
    expect(JSON.parse(page(lazy, true).stdout)).toMatchObject({ resident: false, mapCount: 0 });
  });

  it('exits 1 for an address in no mapping, and never calls it not resident', () => {
    expectFailure(
      page('0x0'),
      1,
      new RegExp(`^memtop: 0x0 is not mapped in process ${mine.pid} \\(${comm}\\)\\n$`),
    );
    expectFailure(page('0x0', true), 1, /is not mapped in process/);
  });

  it('answers for the vsyscall address what the kernel says of it (exit 1)', () => {
    const maps = readFileSync(`/proc/${mine.pid}/maps`, 'latin1');
    const result = page('0xffffffffff600000');
    if (/^ffffffffff600000-ffffffffff601000 .*\[vsyscall\]$/m.test(maps)) {
      expectFailure(
        result,
        1,
        /^memtop: 0xffffffffff600000 is in \[vsyscall\] of process \d+: the kernel's page above user space, outside the range \/proc\/PID\/pagemap covers/,
      );
    } else {
      // vsyscall=none: the kernel lists no such mapping.
      expectFailure(result, 1, /^memtop: 0xffffffffff600000 is not mapped in process/);
    }
  });
});

describe('a proc root that cannot be read', () => {
  it.each([['snapshot'], ['-b', '-n', '1'], ['pagemaps', '1'], ['libs'], ['shares', '1']])(
    'memtop %s exits 1',
    (...args) => {
      const result = runCli([...args, '--proc-root', '/nonexistent']);
      expectFailure(
        result,
        1,
        /^memtop: cannot read \/nonexistent: not a readable proc file system\n$/,
      );
      expect(result.stdout).toBe('');
    },
  );
});

describe('usage errors: one line, exit 2, for every command', () => {
  const cpus = availableParallelism();
  const cases: [string[], RegExp][] = [
    [
      ['snapshot', '--prefault', 'bogus'],
      /^memtop: --prefault expects one of libs, all, none; got "bogus"\n$/,
    ],
    [['-b', '--prefault', 'bogus'], /^memtop: --prefault expects one of libs, all, none/],
    [
      ['-b', '-n', '1', '--budget', String(100 * cpus + 1)],
      new RegExp(
        `^memtop: --budget expects at most ${100 * cpus} \\(100 per CPU, ${cpus} CPUs?\\), or off; got "${100 * cpus + 1}"\\n$`,
      ),
    ],
    [['-b', '--frobnicate'], /^memtop: Unknown argument: frobnicate\n$/],
    [['-b', '-n', '0'], /^memtop: -n expects a whole number ≥ 1; got "0"\n$/],
    [['-b', '-p', 'x'], /^memtop: -p expects process ids like 123,456; got "x"\n$/],
    [['snapshot', '-p', '0'], /^memtop: -p expects process ids like 123,456; got "0"\n$/],
    [['pagemaps', '1', '--frobnicate'], /^memtop: Unknown argument: frobnicate\n$/],
    [['pagemaps'], /^memtop: Not enough non-option arguments: got 0, need at least 1\n$/],
    [['libs', '--frobnicate'], /^memtop: Unknown argument: frobnicate\n$/],
    [['libs', '--limit', 'x'], /^memtop: --limit expects a whole number ≥ 1; got "x"\n$/],
    [['shares'], /^memtop: Not enough non-option arguments: got 0, need at least 1\n$/],
    [['shares', '1', '--frobnicate'], /^memtop: Unknown argument: frobnicate\n$/],
    [['shares', '1', '--page', 'zzz'], /^memtop: --page expects a 64-bit address .* got "zzz"\n$/],
    [
      ['shares', '1', '--page', '0x10000000000000000'],
      /^memtop: --page expects a 64-bit address .* got "0x10000000000000000"\n$/,
    ],
  ];
  it.each(cases)('memtop %j', (args, message) => {
    const result = runCli(args);
    expectFailure(result, 2, message);
    expect(result.stdout).toBe('');
  });
});
