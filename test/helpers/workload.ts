/**
 * Test harness around test/workload/workload.c: a small C process whose memory layout a test
 * controls line by line, and which is otherwise quiescent (blocked in read(2)), so its page
 * counts in /proc/PID/{smaps,smaps_rollup,pagemap} stay exactly what the test made them.
 *
 * Protocol (one command per line on stdin, one reply line per command: `ok ...` or
 * `err <message>`; sizes in 4096-byte pages, addresses as 0x-prefixed hex):
 *
 *   anon N                → ok ADDR   private anonymous RW, every page written
 *   shared N              → ok ADDR   MAP_SHARED|MAP_ANONYMOUS RW, every page written
 *   zero N                → ok ADDR   private anonymous RW, every page only read (zero page)
 *   lazy anon|shared N    → ok ADDR   private or MAP_SHARED anonymous RW (NORESERVE), nothing
 *                                     touched: a sparse region once `write`/`touch` fill parts;
 *                                     N up to 2^36 (256 TiB of address space, e.g. 16 TiB)
 *   mergeable N           → ok ADDR   private anonymous RW, every page written with what its
 *                                     index alone decides (page i alike in every such region),
 *                                     then MADV_MERGEABLE: KSM (when it runs) merges them
 *   guard ADDR FIRST COUNT → ok       MADV_GUARD_INSTALL on those pages (Linux 6.13+): guard
 *                                     markers, which pagemap shows as swapped + guard (bit 58)
 *   file PATH N           → ok ADDR   MAP_SHARED PROT_READ of PATH, every page read
 *   filepriv PATH N       → ok ADDR   MAP_PRIVATE RW of PATH, every page read (write later: COW)
 *   touch ADDR FIRST COUNT → ok       read pages FIRST..FIRST+COUNT-1 of the region at ADDR
 *   write ADDR FIRST COUNT → ok       write a unique non-zero word to each of those pages
 *   reserve GIB MIB       → ok ADDR   PROT_NONE NORESERVE GIB GiB, first MIB MiB RW + written
 *   many N                → ok FIRST STRIDE WRITTEN READONLY
 *                                     N one-page RW VMAs at FIRST + i*STRIDE (STRIDE = 8192,
 *                                     one-page unmapped holes between), all written (READONLY 0)
 *   unmap ADDR N          → ok
 *   thp on | thp off      → ok        PR_SET_THP_DISABLE 0 / 1 (THP is disabled at start-up)
 *   fork K                → ok PID…   K children running this same loop; indexes keep growing
 *   child I <command>     → (the child's reply, verbatim)
 *   kill I                → ok        child I exits (after reaping its own children), is reaped
 *   pid                   → ok PID
 *   exit                  → ok        children are stopped and reaped first; EOF does the same
 *
 * Every region (anon/shared/zero/file/filepriv/reserve) is mapped between two PROT_NONE guard
 * pages, so it is always its own VMA (the guards of adjacent regions may merge with each other).
 * PATH must not contain whitespace. Children die with SIGKILL if their parent dies.
 *
 * Page-count notes for test authors (observed on Linux 6.18):
 * - At start-up the workload dirties 64 KiB of stack and all of its .data/.bss, then faults in
 *   every mapping (mlockall(MCL_CURRENT) + munlockall(): nothing stays locked), so in a process
 *   that has not forked a command changes Rss only through the pages it maps/touches.
 *   After a fork, parent and children still break copy-on-write on their stack/bss pages as
 *   they run commands (Private/Shared move, Rss does not); run a command once to settle that.
 * - fork() copies no page tables for VMAs without an anon_vma: a child's shared, file, zero
 *   and never-written filepriv regions are empty (Rss 0, pagemap not present) until the child
 *   touches them. Read faults on file/shmem pages map up to 16 neighbours (fault-around);
 *   write faults map exactly one page.
 * - smaps Pss is summed in 1/4096 kB units per page and truncated: 48 pages mapped 3 times
 *   show as 63 kB, not 64. Freshly written (not yet synced) file pages show as *_Dirty.
 */
import { execFile, spawn, type ChildProcessByStdio } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export const PAGE_SIZE = 4096;
export const WORKLOAD_SOURCE = fileURLToPath(new URL('../workload/workload.c', import.meta.url));
const CFLAGS = ['-O1', '-Wall', '-Wextra'];
const REPLY_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 5_000;

export interface BuildOptions {
  /** Link statically (default true): the workload then shares no libc pages with anyone. */
  static?: boolean;
}

export interface WorkloadOptions extends BuildOptions {
  /** Run as this uid/gid via `setpriv --reuid U --regid G --clear-groups` (setpriv execs). */
  uid?: number;
  gid?: number;
  /**
   * Exec the workload under another name, as raw bytes (any but NUL: invalid UTF-8, control
   * characters): `path`, a copy of the workload binary the test made (its last component
   * becomes the comm), with `argv` (argv[0] first). Node passes strings as UTF-8 only, so bash
   * execs it, the bytes given to printf %b as octal escapes.
   */
  exec?: { path: Buffer; argv: Buffer[] };
}

/** `bytes` as a printf %b argument: every byte but letters and digits as \0NNN. */
function printfEscaped(bytes: Buffer): string {
  let out = '';
  for (const b of bytes) {
    out += /[A-Za-z0-9]/.test(String.fromCharCode(b))
      ? String.fromCharCode(b)
      : `\\0${b.toString(8).padStart(3, '0')}`;
  }
  return out;
}

/** bash execs `path` with `argv` (each argument decoded by printf %b). */
function bashExec(exec: { path: Buffer; argv: Buffer[] }): { file: string; args: string[] } {
  const [argv0, ...rest] = exec.argv;
  if (!argv0) throw new Error('exec needs argv[0]');
  const decoded = (i: number) => `"$(printf %b "\${${i}}")"`;
  const script = `exec -a ${decoded(1)} ${decoded(2)} ${rest.map((_, i) => decoded(i + 3)).join(' ')}`;
  return {
    file: 'bash',
    args: ['-c', script, 'bash', ...[argv0, exec.path, ...rest].map(printfEscaped)],
  };
}

/** Layout reported by `many`: page i is at first + i * stride. */
export interface ManyLayout {
  first: number;
  stride: number;
  /** Pages written (all of them). */
  written: number;
  /** Pages only read (0 with the current layout). */
  readOnly: number;
  addresses: number[];
}

const builds = new Map<string, Promise<string>>();

/**
 * Compiles workload.c into `<tmpdir>/memtop-workload-<source hash>/{static,dynamic}` (mode
 * 0755, so tests can also run it as another uid), reusing a binary built from the same source.
 */
export async function buildWorkload(opts: BuildOptions = {}): Promise<string> {
  const isStatic = opts.static ?? true;
  const source = await readFile(WORKLOAD_SOURCE);
  const hash = createHash('sha256').update(source).update(CFLAGS.join(' ')).digest('hex');
  const dir = join(tmpdir(), `memtop-workload-${hash.slice(0, 16)}`);
  const binary = join(dir, isStatic ? 'static' : 'dynamic');
  let build = builds.get(binary);
  if (!build) {
    build = compile(dir, binary, isStatic);
    builds.set(binary, build);
    build.catch(() => builds.delete(binary));
  }
  return build;
}

async function compile(dir: string, binary: string, isStatic: boolean): Promise<string> {
  await mkdir(dir, { recursive: true, mode: 0o755 });
  // Tests run this binary as root: refuse a cache directory someone else could have planted.
  if ((await stat(dir)).uid !== process.getuid?.()) throw new Error(`${dir} is not ours`);
  await chmod(dir, 0o755);
  if (existsSync(binary)) return binary;
  const tmp = `${binary}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const args = [...CFLAGS, ...(isStatic ? ['-static'] : []), '-o', tmp, WORKLOAD_SOURCE];
  try {
    await execFileAsync('gcc', args);
    await chmod(tmp, 0o755);
    await rename(tmp, binary); // atomic: concurrent builders all end up with a whole binary
  } catch (err) {
    await rm(tmp, { force: true });
    const stderr = (err as { stderr?: string }).stderr ?? '';
    throw new Error(`gcc ${args.join(' ')} failed: ${String(err)}\n${stderr}`);
  }
  return binary;
}

/** True while pid exists and is not a zombie. */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

function hex(addr: number): string {
  if (!Number.isSafeInteger(addr) || addr < 0) throw new Error(`bad address ${addr}`);
  return `0x${addr.toString(16)}`;
}

function count(n: number, what = 'count'): string {
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`bad ${what} ${n}`);
  return String(n);
}

function parseNumber(field: string | undefined, what: string): number {
  const n = field === undefined ? NaN : Number(field); // Number() understands 0x…
  if (!Number.isSafeInteger(n)) throw new Error(`workload replied with a bad ${what}: ${field}`);
  return n;
}

/** Commands shared by a workload process and (via `child I …`) its forked children. */
export abstract class WorkloadTarget {
  /** Pids of the children forked through this object, by child index. */
  readonly childPids: number[] = [];
  private readonly children = new Map<number, WorkloadChild>();

  abstract readonly pid: number;
  /** Sends one command line; resolves with the reply's fields after `ok`. */
  /** Sends one command; `timeoutMs`: how long its reply may take (default 10 s). */
  abstract send(cmd: string, timeoutMs?: number): Promise<string[]>;

  private async region(cmd: string): Promise<number> {
    return parseNumber((await this.send(cmd))[0], 'address');
  }
  async anon(pages: number): Promise<number> {
    return this.region(`anon ${count(pages)}`);
  }
  async shared(pages: number): Promise<number> {
    return this.region(`shared ${count(pages)}`);
  }
  async zero(pages: number): Promise<number> {
    return this.region(`zero ${count(pages)}`);
  }
  /** Pages that KSM may merge: page i of every such region, in any process, is alike. */
  async mergeable(pages: number): Promise<number> {
    return this.region(`mergeable ${count(pages)}`);
  }
  /** A region of `pages` pages, none touched yet (MAP_SHARED when `shared`). */
  async lazy(shared: boolean, pages: number): Promise<number> {
    return this.region(`lazy ${shared ? 'shared' : 'anon'} ${count(pages)}`);
  }
  /** Guard markers on pages FIRST..FIRST+COUNT-1 of the region at ADDR (Linux 6.13+). */
  async guard(addr: number, first: number, pages: number): Promise<void> {
    await this.send(`guard ${hex(addr)} ${count(first)} ${count(pages)}`);
  }
  async file(path: string, pages: number): Promise<number> {
    if (/\s/.test(path)) throw new Error(`path must not contain whitespace: ${path}`);
    return this.region(`file ${path} ${count(pages)}`);
  }
  async filePrivate(path: string, pages: number): Promise<number> {
    if (/\s/.test(path)) throw new Error(`path must not contain whitespace: ${path}`);
    return this.region(`filepriv ${path} ${count(pages)}`);
  }
  /** Returns the address of the first (RW) MiB-sized part; the rest up to GIB GiB is PROT_NONE. */
  async reserve(gib: number, mib: number): Promise<number> {
    return this.region(`reserve ${count(gib)} ${count(mib)}`);
  }
  async touch(addr: number, first: number, pages: number): Promise<void> {
    await this.send(`touch ${hex(addr)} ${count(first)} ${count(pages)}`);
  }
  async write(addr: number, first: number, pages: number): Promise<void> {
    await this.send(`write ${hex(addr)} ${count(first)} ${count(pages)}`);
  }
  async unmap(addr: number, pages: number): Promise<void> {
    await this.send(`unmap ${hex(addr)} ${count(pages)}`);
  }
  async thp(on: boolean): Promise<void> {
    await this.send(`thp ${on ? 'on' : 'off'}`);
  }
  async many(n: number): Promise<ManyLayout> {
    // Each mapping is an mmap and a munmap: allow 0.2 ms each beyond the usual wait.
    const f = await this.send(`many ${count(n)}`, REPLY_TIMEOUT_MS + n / 5);
    const first = parseNumber(f[0], 'address');
    const stride = parseNumber(f[1], 'stride');
    const written = parseNumber(f[2], 'count');
    const readOnly = parseNumber(f[3], 'count');
    const addresses = Array.from({ length: written + readOnly }, (_, i) => first + i * stride);
    return { first, stride, written, readOnly, addresses };
  }
  /** Forks k children (which inherit every region); resolves with their pids. */
  async fork(k: number): Promise<number[]> {
    const pids = (await this.send(`fork ${count(k)}`)).map((f) => parseNumber(f, 'pid'));
    this.childPids.push(...pids);
    return pids;
  }
  /** Child index i (creation order, over all fork calls on this object). */
  child(i: number): WorkloadChild {
    const pid = this.childPids[i];
    if (pid === undefined) throw new Error(`no child ${i} (have ${this.childPids.length})`);
    let c = this.children.get(i);
    if (!c) {
      c = new WorkloadChild(this, i, pid);
      this.children.set(i, c);
    }
    return c;
  }
  /** Makes child i exit and reaps it (its own children first). */
  async kill(i: number): Promise<void> {
    await this.send(`kill ${count(i, 'child index')}`);
  }
  /** Pids of all descendants forked through this object or its WorkloadChild objects. */
  descendantPids(): number[] {
    const nested = [...this.children.values()].flatMap((c) => c.descendantPids());
    return [...this.childPids, ...nested];
  }
}

/** A forked child; every command is routed through the parent as `child I <command>`. */
export class WorkloadChild extends WorkloadTarget {
  constructor(
    readonly parent: WorkloadTarget,
    readonly index: number,
    readonly pid: number,
  ) {
    super();
  }
  send(cmd: string, timeoutMs?: number): Promise<string[]> {
    return this.parent.send(`child ${this.index} ${cmd}`, timeoutMs);
  }
}

interface Pending {
  cmd: string;
  resolve: (fields: string[]) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
  /** Timed out: the reply (if it ever comes) is consumed and dropped to keep replies in order. */
  abandoned: boolean;
}

type WorkloadProcess = ChildProcessByStdio<Writable, Readable, Readable>;

const live = new Set<Workload>();
let exitHookInstalled = false;

/** Stops every workload still running in this process (for afterAll hooks). */
export async function stopAllWorkloads(): Promise<void> {
  await Promise.all([...live].map((w) => w.stop()));
}

export class Workload extends WorkloadTarget {
  readonly pid: number;
  private buffer = '';
  private stderrTail = '';
  private readonly pending: Pending[] = [];
  private exitStatus: string | undefined;
  private readonly exited: Promise<void>;
  private stopping: Promise<void> | undefined;

  private constructor(
    private readonly proc: WorkloadProcess,
    readonly binary: string,
  ) {
    super();
    if (proc.pid === undefined) throw new Error('workload did not start');
    this.pid = proc.pid;
    proc.stdout.setEncoding('utf8');
    proc.stdout.on('data', (chunk: string) => this.onData(chunk));
    proc.stderr.setEncoding('utf8');
    proc.stderr.on('data', (chunk: string) => {
      this.stderrTail = (this.stderrTail + chunk).slice(-2000);
    });
    proc.stdin.on('error', () => {}); // EPIPE after an exit; reported through 'exit' instead
    // A forgotten workload must not keep Node alive: pending replies and stop() hold timers,
    // and the 'exit' hook below (or EOF on the workload's stdin) ends it with us.
    proc.unref();
    for (const stream of [proc.stdin, proc.stdout, proc.stderr]) {
      (stream as unknown as { unref?: () => void }).unref?.();
    }
    // Only the workload itself holds our stdout pipe (children reply on their own pipes), so
    // once it has exited and stdout is closed every reply it wrote has been delivered.
    const stdoutClosed = new Promise((resolve) => proc.stdout.once('close', resolve));
    const exit = new Promise<void>((resolve) => {
      proc.once('exit', (code, signal) => {
        this.exitStatus = signal ? `killed by ${signal}` : `exited with code ${code}`;
        live.delete(this);
        resolve();
      });
    });
    this.exited = Promise.all([exit, stdoutClosed]).then(() => {
      this.failAll(`workload ${this.pid} ${this.exitStatus}${this.stderrSuffix()}`);
    });
    live.add(this);
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      process.once('exit', () => {
        for (const w of live) w.proc.kill('SIGKILL');
      });
    }
  }

  static async start(opts: WorkloadOptions = {}): Promise<Workload> {
    const binary = await buildWorkload({ static: opts.static ?? true });
    const ids: string[] = [];
    if (opts.uid !== undefined) ids.push('--reuid', count(opts.uid, 'uid'));
    if (opts.gid !== undefined) ids.push('--regid', count(opts.gid, 'gid'));
    if (opts.exec && ids.length) throw new Error('exec and uid/gid do not combine');
    const { file, args } = opts.exec
      ? bashExec(opts.exec)
      : {
          file: ids.length ? 'setpriv' : binary,
          args: ids.length ? [...ids, '--clear-groups', binary] : [],
        };
    const proc = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    await new Promise<void>((resolve, reject) => {
      proc.once('spawn', resolve);
      proc.once('error', reject);
    });
    const w = new Workload(proc, binary);
    try {
      // setpriv (or bash) execs the workload, so the pid we spawned is the workload's own.
      const [pid] = await w.send('pid');
      if (Number(pid) !== w.pid) throw new Error(`workload says pid ${pid}, spawned ${w.pid}`);
    } catch (err) {
      await w.stop();
      throw err;
    }
    return w;
  }

  get running(): boolean {
    return this.exitStatus === undefined;
  }

  send(cmd: string, timeoutMs = REPLY_TIMEOUT_MS): Promise<string[]> {
    if (cmd.includes('\n')) return Promise.reject(new Error('command contains a newline'));
    if (this.exitStatus !== undefined) {
      return Promise.reject(new Error(`workload ${this.pid} ${this.exitStatus}: cannot '${cmd}'`));
    }
    return new Promise((resolve, reject) => {
      const p: Pending = {
        cmd,
        resolve,
        reject,
        abandoned: false,
        timer: setTimeout(() => {
          p.abandoned = true;
          reject(new Error(`workload ${this.pid}: no reply to '${cmd}' in ${timeoutMs} ms`));
        }, timeoutMs),
      };
      this.pending.push(p);
      this.proc.stdin.write(`${cmd}\n`);
    });
  }

  /** Sends `exit`, waits for the process to end (SIGKILL after 5 s); then waits (up to 5 s)
   * until the descendants it knows of are gone as well. Safe to call more than once. */
  stop(): Promise<void> {
    this.stopping ??= this.doStop();
    return this.stopping;
  }

  private async doStop(): Promise<void> {
    if (this.running) {
      this.send('exit').catch(() => {});
      this.proc.stdin.end();
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), STOP_TIMEOUT_MS);
      });
      const outcome = await Promise.race([this.exited, timeout]);
      clearTimeout(timer);
      if (outcome === 'timeout') {
        this.proc.kill('SIGKILL');
        await this.exited;
      }
    }
    // After a SIGKILL, children only die through PR_SET_PDEATHSIG: wait until they are gone.
    const deadline = Date.now() + STOP_TIMEOUT_MS;
    for (const pid of this.descendantPids()) {
      while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    }
  }

  private onData(chunk: string): void {
    this.buffer += chunk;
    let nl: number;
    while ((nl = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, nl);
      this.buffer = this.buffer.slice(nl + 1);
      this.onLine(line);
    }
  }

  private onLine(line: string): void {
    const p = this.pending.shift();
    if (!p) {
      this.stderrTail += `\n[unexpected reply: ${line}]`;
      return;
    }
    clearTimeout(p.timer);
    if (p.abandoned) return;
    const fields = line.split(/\s+/).filter((f) => f !== '');
    if (fields[0] === 'ok') p.resolve(fields.slice(1));
    else if (fields[0] === 'err') p.reject(new Error(`workload ${this.pid}: '${p.cmd}': ${line}`));
    else p.reject(new Error(`workload ${this.pid}: '${p.cmd}': bad reply line '${line}'`));
  }

  private failAll(message: string): void {
    for (const p of this.pending.splice(0)) {
      clearTimeout(p.timer);
      if (!p.abandoned) p.reject(new Error(`${message} (while waiting for '${p.cmd}')`));
    }
  }

  private stderrSuffix(): string {
    return this.stderrTail ? `; stderr: ${this.stderrTail.trim()}` : '';
  }
}
