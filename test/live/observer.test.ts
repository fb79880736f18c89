// memtop counts the system as it is without memtop: the pages it maps itself (libc, libm, the
// vDSO, its node binary) and those of a sudo/doas/su launcher are taken out of every map count.
// So each figure of a process that shares libraries with memtop equals smaps_rollup (and each
// mapping's, smaps) read once memtop has exited, in every output. This test process reads the
// kernel's figures and maps libc too, while memtop samples and when the kernel's figures are
// read: memtop, run as a child, is the only difference.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pssBytes } from '../../src/model/counters.js';
import type { Counters } from '../../src/model/types.js';
import { CLI, type CountersJson, type SnapshotJson } from '../helpers/cli.js';
import { PAGE_SIZE, Workload } from '../helpers/workload.js';

const VIEW = fileURLToPath(new URL('../helpers/view-sampler.mjs', import.meta.url));
const FIELDS = [
  'Rss',
  'Pss',
  'Private_Clean',
  'Private_Dirty',
  'Shared_Clean',
  'Shared_Dirty',
  'Swap',
] as const;
type Figures = Record<(typeof FIELDS)[number], number>;
/** Per pid: its totals, and each mapping's figures by start address (0x…). */
type KernelView = Record<number, { totals: Figures; mappings: Record<string, Figures> }>;
const ATTEMPTS = 12;
const FILE_PAGES = 32;

let dir: string;
let python: ReturnType<typeof spawn>;
let bash: ReturnType<typeof spawn>;
let program: Workload;
let family: Workload[] = [];
/** A process mapping the PAM library, which su maps and memtop does not. */
let pamUser: Workload;
/** A process mapping the whole of a shared library memtop maps too (its libstdc++). */
let libUser: Workload;
let targets: number[];

/** Starts a program and waits for its first line (it is then idle). */
async function startIdle(command: string, args: string[]): Promise<ReturnType<typeof spawn>> {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  await new Promise<void>((resolve, reject) => {
    lines.once('line', () => resolve());
    child.once('exit', (code) => reject(new Error(`${command} exited (${code})`)));
  });
  lines.close();
  return child;
}

/** The shared library su loads PAM from, as its loader resolves it. */
function pamLibrary(): string {
  const su = spawnSync('sh', ['-c', 'ldd "$(command -v su)"'], { encoding: 'utf8' }).stdout;
  const path = /libpam\.so\S*\s+=>\s+(\S+)/.exec(su)?.[1];
  if (!path || !existsSync(path)) throw new Error(`no libpam in ldd of su:\n${su}`);
  return path;
}

/** The file of a shared library this process (node, like memtop) maps. */
function ownLibrary(name: RegExp): string {
  const maps = readFileSync('/proc/self/maps', 'utf8');
  const path = maps
    .split('\n')
    .map((l) => l.split(/\s+/)[5] ?? '')
    .find((p) => name.test(p));
  if (!path) throw new Error(`no ${name} in /proc/self/maps`);
  return path;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'memtop-observer-'));
  python = await startIdle('python3', [
    '-c',
    'import ssl, sys; print("ready", flush=True); sys.stdin.read()',
  ]);
  bash = await startIdle('bash', ['--norc', '--noprofile', '-c', 'echo ready; read -r line']);
  program = await Workload.start({ static: false });
  const file = join(dir, 'shared');
  writeFileSync(file, Buffer.alloc(FILE_PAGES * PAGE_SIZE, 7));
  family = await Promise.all([0, 1, 2].map(() => Workload.start({ static: false })));
  for (const w of family) await w.file(file, FILE_PAGES);
  pamUser = await Workload.start({ static: false });
  const pam = pamLibrary();
  await pamUser.file(pam, Math.floor(statSync(pam).size / PAGE_SIZE));
  targets = [python.pid!, bash.pid!, program.pid, ...family.map((w) => w.pid), pamUser.pid];
  libUser = await Workload.start({ static: false });
  const lib = ownLibrary(/\/libstdc\+\+\.so/);
  await libUser.file(lib, Math.floor(statSync(lib).size / PAGE_SIZE));
}, 120_000);

afterAll(async () => {
  python?.kill();
  bash?.kill();
  await Promise.all([program, ...family, pamUser, libUser].map((w) => w?.stop()));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function figuresOf(text: string): Figures {
  const out = {} as Figures;
  for (const f of FIELDS) out[f] = Number(new RegExp(`^${f}:\\s+(\\d+) kB$`, 'm').exec(text)![1]);
  return out;
}

/** smaps_rollup and smaps of each process, now. */
function readKernel(pids: readonly number[]): KernelView {
  const view: KernelView = {};
  for (const pid of pids) {
    const mappings: Record<string, Figures> = {};
    const smaps = readFileSync(`/proc/${pid}/smaps`, 'latin1');
    for (const block of smaps.split(/^(?=[0-9a-f]+-[0-9a-f]+ )/m)) {
      const start = /^([0-9a-f]+)-/.exec(block)?.[1];
      if (start) mappings[`0x${BigInt(`0x${start}`).toString(16)}`] = figuresOf(block);
    }
    view[pid] = {
      totals: figuresOf(readFileSync(`/proc/${pid}/smaps_rollup`, 'latin1')),
      mappings,
    };
  }
  return view;
}

/** memtop's JSON counters in the kernel's units (kB), PSS rounded down as smaps rounds it. */
function fromJson(c: CountersJson): Figures {
  const kb = (n: number | null) => (n === null ? Number.NaN : n / 1024);
  return {
    Rss: kb(c.rss),
    Pss: Math.floor(kb(c.pss)),
    Private_Clean: kb(c.privateClean),
    Private_Dirty: kb(c.privateDirty),
    Shared_Clean: kb(c.sharedClean),
    Shared_Dirty: kb(c.sharedDirty),
    Swap: kb(c.swap),
  };
}

function fromCounters(c: Counters): Figures {
  return {
    Rss: c.rssBytes / 1024,
    Pss: Math.floor(pssBytes(c) / 1024),
    Private_Clean: c.privateCleanBytes / 1024,
    Private_Dirty: c.privateDirtyBytes / 1024,
    Shared_Clean: c.sharedCleanBytes / 1024,
    Shared_Dirty: c.sharedDirtyBytes / 1024,
    Swap: c.swapBytes / 1024,
  };
}

/** What memtop said, in the kernel's shape: per pid, totals and (where listed) mappings. */
type MemtopView = Record<number, { totals: Figures; mappings?: Record<string, Figures> }>;

function fromSnapshot(snap: SnapshotJson): MemtopView {
  const view: MemtopView = {};
  for (const p of snap.processes) {
    view[p.pid] = { totals: fromJson(p) };
    if (p.mappings) {
      view[p.pid]!.mappings = Object.fromEntries(p.mappings.map((m) => [m.start, fromJson(m)]));
    }
  }
  return view;
}

/** The kernel's view cut to what memtop showed (its pids; mappings only where it listed them). */
function expectedFor(memtop: MemtopView, kernel: KernelView): MemtopView {
  const out: MemtopView = {};
  for (const [pid, p] of Object.entries(memtop)) {
    const k = kernel[Number(pid)];
    if (!k) continue;
    out[Number(pid)] = p.mappings
      ? { totals: k.totals, mappings: k.mappings }
      : { totals: k.totals };
  }
  return out;
}

/** One shell word. */
const quote = (arg: string) => `'${arg.replaceAll("'", `'\\''`)}'`;

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** What memtop said of each process, and the kernel's figures it is held to. */
interface Comparison {
  /** Each view's listing of the process. */
  memtop: unknown[];
  kernel: unknown[];
}

/**
 * Runs memtop (to its exit), then reads the kernel's figures, until each process has been seen
 * equal to them in one run: any program starting or exiting on this machine maps or unmaps libc
 * and moves others' PSS, and a run during which that happened is tried again (a wrong figure
 * fails every time). Returns, per process, the run that matched, or the last one.
 */
function compared(pids: readonly number[], run: () => MemtopView[]): Map<number, Comparison> {
  const out = new Map<number, Comparison>();
  const matched = new Set<number>();
  for (let attempt = 0; attempt < ATTEMPTS && matched.size < pids.length; attempt++) {
    const views = run();
    const after = readKernel(pids);
    expect(views.length).toBeGreaterThan(0);
    for (const view of views)
      expect(Object.keys(view).map(Number).sort()).toEqual([...pids].sort());
    for (const pid of pids) {
      if (matched.has(pid)) continue;
      const memtop = views.map((v) => v[pid]);
      const kernel = memtop.map((m) => expectedFor({ [pid]: m! }, after)[pid]);
      out.set(pid, { memtop, kernel });
      if (same(memtop, kernel)) matched.add(pid);
    }
  }
  return out;
}

function expectEqualToKernel(comparisons: Map<number, Comparison>, pids: readonly number[]) {
  expect([...comparisons.keys()].sort()).toEqual([...pids].sort());
  for (const [pid, { memtop, kernel }] of comparisons) expect(memtop, `pid ${pid}`).toEqual(kernel);
}

function memtop(args: string[]): string {
  const result = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
    maxBuffer: 1 << 28,
    timeout: 120_000,
  });
  if (result.status !== 0) throw new Error(`memtop ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

function jsonLines(text: string): SnapshotJson[] {
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as SnapshotJson);
}

/**
 * `memtop -b --json -n 2` with `args`, and the kernel's figures read between its two frames,
 * while it lives and waits: right after the first frame's sample, right before the second's.
 */
async function batchAroundKernel(
  args: string[],
  pids: readonly number[],
): Promise<{ frames: MemtopView[]; during: KernelView }> {
  const child = spawn(
    process.execPath,
    [CLI, '-b', '--json', '-n', '2', '-d', '0.5', ...args, '-p', pids.join(',')],
    { env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  const frames: MemtopView[] = [];
  let during: KernelView = {};
  for await (const line of createInterface({ input: child.stdout })) {
    if (line === '') continue;
    frames.push(fromSnapshot(JSON.parse(line) as SnapshotJson));
    if (frames.length === 1) during = readKernel(pids);
  }
  const status = await exited;
  if (status !== 0) throw new Error(`memtop ${args.join(' ')}: ${status} ${stderr}`);
  return { frames, during };
}

describe('figures as if memtop were not there (root)', () => {
  for (const prefault of ['libs', 'none']) {
    it(`snapshot --json, totals and mappings, equal smaps read after memtop exited (--prefault ${prefault})`, () => {
      const run = () => [
        fromSnapshot(
          JSON.parse(
            memtop([
              'snapshot',
              '--json',
              '--mappings',
              '--prefault',
              prefault,
              '-p',
              targets.join(','),
            ]),
          ) as SnapshotJson,
        ),
      ];
      expectEqualToKernel(compared(targets, run), targets);
    });
  }

  // The counterfactual: what memtop would show without its correction. With --include-self
  // nothing is subtracted, and its figures are the kernel's while memtop runs; those differ from
  // the kernel's once memtop has exited as memtop's own mappings make them differ. libUser maps
  // all of memtop's libstdc++, which few processes map: its pages that only memtop shares read
  // as shared, at half their size in PSS. With the correction the figures are those of after.
  it('without the correction memtop’s own mappings show in the figures, more of them with --prefault libs than none; with it they do not', async () => {
    const pid = libUser.pid;
    /** One run of each: uncorrected against the kernel while memtop runs, corrected against after. */
    const counterfactual = async (prefault: string) => {
      const { frames, during } = await batchAroundKernel(
        ['--prefault', prefault, '--include-self'],
        [pid],
      );
      expect(frames).toHaveLength(2);
      const corrected = fromSnapshot(
        JSON.parse(
          memtop(['snapshot', '--json', '--mappings', '--prefault', prefault, '-p', `${pid}`]),
        ) as SnapshotJson,
      );
      const after = readKernel([pid]);
      // The frame sampled nearest the read, in the same state: either (programs that start or
      // exit between them move the figures, memtop faulting its code in too).
      const frame = frames.find((f) => same(f, expectedFor(f, during))) ?? frames.at(-1)!;
      const run = {
        uncorrected: frame,
        during: expectedFor(frame, during),
        corrected,
        after: expectedFor(corrected, after),
      };
      return { ...run, d: run.during[pid]!.totals, a: run.after[pid]!.totals };
    };
    type Run = Awaited<ReturnType<typeof counterfactual>>;
    const isExact = (r: Run) => same(r.uncorrected, r.during) && same(r.corrected, r.after);
    // The same pages, split otherwise: PSS lower by the part memtop's mappings take.
    const isSplitOtherwise = (r: Run) =>
      r.d.Rss === r.a.Rss &&
      r.d.Private_Clean + r.d.Shared_Clean === r.a.Private_Clean + r.a.Shared_Clean &&
      r.d.Pss < r.a.Pss &&
      r.d.Private_Clean <= r.a.Private_Clean;
    const deficit = (r: Run) => r.a.Pss - r.d.Pss;
    // Each attempt runs both, so that they meet the same machine: a program that maps
    // libstdc++ meanwhile (another memtop) moves what memtop adds to it.
    let libs: Run | undefined;
    let none: Run | undefined;
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      libs = await counterfactual('libs');
      none = await counterfactual('none');
      if (
        isExact(libs) &&
        isExact(none) &&
        isSplitOtherwise(libs) &&
        isSplitOtherwise(none) &&
        libs.d.Private_Clean < libs.a.Private_Clean &&
        deficit(libs) > deficit(none)
      )
        break;
    }
    for (const [name, r] of [
      ['libs', libs!],
      ['none', none!],
    ] as const) {
      expect(r.uncorrected, name).toEqual(r.during);
      expect(r.corrected, name).toEqual(r.after);
      expect(r.d.Rss, name).toBe(r.a.Rss);
      expect(r.d.Private_Clean + r.d.Shared_Clean, name).toBe(r.a.Private_Clean + r.a.Shared_Clean);
      expect(r.d.Pss, name).toBeLessThan(r.a.Pss);
      expect(r.d.Private_Clean, name).toBeLessThanOrEqual(r.a.Private_Clean);
    }
    // --prefault libs maps every page of memtop's libraries, so private pages of libUser's that
    // no other process maps read as shared; without it memtop maps only the pages it runs (which
    // this test's node process maps too): fewer pages, a smaller error to correct.
    expect(libs!.d.Private_Clean).toBeLessThan(libs!.a.Private_Clean);
    expect(deficit(libs!)).toBeGreaterThan(deficit(none!));
  }, 600_000);

  it('-b --json frames equal smaps_rollup read after memtop exited', () => {
    const run = () =>
      jsonLines(memtop(['-b', '--json', '-n', '3', '-d', '0.1', '-p', targets.join(',')])).map(
        fromSnapshot,
      );
    const result = compared(targets, run);
    expect(result.get(targets[0]!)!.memtop).toHaveLength(3);
    expectEqualToKernel(result, targets);
  });

  it('the interactive view’s rows equal smaps_rollup read after memtop exited', () => {
    const run = () => {
      const result = spawnSync(process.execPath, [VIEW, targets.join(','), '3'], {
        encoding: 'utf8',
        timeout: 120_000,
      });
      if (result.status !== 0) throw new Error(`view sampler: ${result.stderr}`);
      return result.stdout
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => {
          const frame = JSON.parse(l) as { rows: (Counters & { pid: number })[] };
          return Object.fromEntries(
            frame.rows.map((r) => [r.pid, { totals: fromCounters(r) }]),
          ) as MemtopView;
        });
    };
    const result = compared(targets, run);
    expect(result.get(targets[0]!)!.memtop).toHaveLength(3);
    expectEqualToKernel(result, targets);
  });

  it('with --include-self lists memtop and counts its mappings, and says so', () => {
    // memtop exec'd by sh: $$ is memtop's pid.
    const listSelf = (extra: string[]) => {
      const command = [process.execPath, CLI, 'snapshot', '--json', ...extra].map(quote).join(' ');
      const result = spawnSync('sh', ['-c', `exec ${command} -p ${python.pid},$$`], {
        encoding: 'utf8',
        env: { ...process.env, NO_COLOR: '1' },
      });
      return { ...result, snap: JSON.parse(result.stdout) as SnapshotJson, self: result.pid! };
    };
    const counted = listSelf(['--include-self']);
    expect(counted.status, counted.stderr).toBe(0);
    expect(counted.snap.notices.join(' ')).toMatch(/--include-self.*nothing is subtracted/);
    expect(counted.snap.processes.map((p) => p.pid)).toEqual(
      expect.arrayContaining([python.pid, counted.self]),
    );
    // Without it memtop is not shown, and says why it leaves out the pid it was given.
    const hidden = listSelf([]);
    expect(hidden.status).toBe(3);
    expect(hidden.stderr).toContain(`process ${hidden.self} (node) is memtop itself`);
    expect(hidden.snap.notices.join(' ')).not.toMatch(/include-self/);
    expect(hidden.snap.processes.map((p) => p.pid)).toEqual([python.pid]);
  });
});

describe('memtop’s su launcher is part of the observer (root)', () => {
  /**
   * memtop under `su root -c`, as `exec`: su is its parent. $PPID is su's pid and $$ memtop's,
   * both named with -p.
   */
  function underSu(extra: string[]): { snap: SnapshotJson; su: number; stderr: string } {
    const command = [process.execPath, CLI, 'snapshot', '--json', '--mappings', ...extra];
    const quoted = command.map(quote).join(' ');
    const pids = `${targets.join(',')},$PPID,$$`;
    const result = spawnSync('su', ['root', '-c', `exec ${quoted} -p ${pids}`], {
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
      maxBuffer: 1 << 28,
      timeout: 120_000,
    });
    // Without --include-self memtop shows neither and exits 3, naming them.
    const expected = extra.includes('--include-self') ? 0 : 3;
    if (result.status !== expected) throw new Error(`su: ${result.status} ${result.stderr}`);
    const snap = JSON.parse(result.stdout) as SnapshotJson;
    return { snap, su: result.pid, stderr: result.stderr };
  }

  it('is hidden, and its mappings are taken out of everyone’s figures', () => {
    // Only the targets are listed (compared() checks it): neither su nor memtop.
    let stderr = '';
    let su = 0;
    const result = compared(targets, () => {
      const run = underSu([]);
      ({ stderr, su } = run);
      return [fromSnapshot(run.snap)];
    });
    expectEqualToKernel(result, targets);
    expect(stderr).toContain(`process ${su} (su) is memtop itself or the launcher that runs it`);
  });

  it('is listed with memtop under --include-self', () => {
    const { snap, su } = underSu(['--include-self']);
    const pids = snap.processes.map((p) => p.pid);
    expect(pids).toContain(su);
    expect(snap.processes.find((p) => p.pid === su)!.comm).toBe('su');
    expect(snap.processes.some((p) => p.cmdline.includes(CLI))).toBe(true);
  });
});
