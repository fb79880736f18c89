/**
 * Test harness around test/workload/hang-fs.c: a FUSE mount of regular files whose reads the
 * test holds up, so that a read(2) of one blocks in the kernel (as on a hung FUSE or NFS
 * mount) until the test lets it go; a caught SIGTERM does not end that wait, SIGKILL does.
 * Each file can be bind-mounted over a file of a fixture proc tree. Needs root.
 */
import { execFile, execFileSync, spawn, type ChildProcessByStdio } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const SOURCE = fileURLToPath(new URL('../workload/hang-fs.c', import.meta.url));
const WAIT_MS = 20_000;

/** A file of the mount: its name, and what it holds (default: `name\0`, a command line). */
export interface HangFile {
  name: string;
  text?: string;
}

export class HangFs {
  private readonly binds: string[] = [];
  /** `pending` lines seen since the last hold(). */
  private pending = 0;
  private waiters: (() => void)[] = [];

  private constructor(
    private readonly dir: string,
    readonly mountPoint: string,
    private readonly proc: ChildProcessByStdio<Writable, Readable, Readable>,
  ) {
    let pending = '';
    proc.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) if (line === 'pending') this.pending++;
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  /** Builds the server (gcc), mounts it in a new temporary directory, and waits until it serves. */
  static async start(files: HangFile[]): Promise<HangFs> {
    const dir = mkdtempSync(join(tmpdir(), 'memtop-hang-fs-'));
    const binary = join(dir, 'hang-fs');
    await promisify(execFile)('gcc', ['-O2', '-Wall', '-o', binary, SOURCE]);
    const mountPoint = join(dir, 'mnt');
    execFileSync('mkdir', ['-m', '0755', mountPoint]);
    const args = files.map((f) => (f.text === undefined ? f.name : `${f.name}=${f.text}`));
    const proc = spawn(binary, [mountPoint, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    proc.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    await new Promise<void>((resolve, reject) => {
      const onData = (chunk: Buffer | string) => {
        if (String(chunk).includes('ready')) {
          proc.stdout.off('data', onData);
          resolve();
        }
      };
      proc.stdout.on('data', onData);
      proc.once('exit', (code) => reject(new Error(`hang-fs exited (${code}): ${stderr}`)));
    });
    return new HangFs(dir, mountPoint, proc);
  }

  /** Bind-mounts file `name` of the mount over `target` (an existing file): still a regular file. */
  bind(name: string, target: string): void {
    execFileSync('mount', ['--bind', join(this.mountPoint, name), target]);
    this.binds.push(target);
  }

  /** From now on every request (a read) waits in the kernel until serve(). */
  hold(): void {
    this.pending = 0;
    this.proc.stdin.write('hold\n');
  }

  /** Answers the requests waiting, and every one from now on. */
  serve(): void {
    this.proc.stdin.write('serve\n');
  }

  /** Waits until, since hold(), a request waits for an answer. */
  async waitPending(): Promise<void> {
    const deadline = Date.now() + WAIT_MS;
    while (this.pending === 0) {
      if (Date.now() > deadline) throw new Error('no request came to hang-fs');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 100);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Answers everything, unmounts, and ends the server. */
  async stop(): Promise<void> {
    this.serve();
    for (const target of this.binds.splice(0)) umount(target);
    const exited = new Promise((resolve) => this.proc.once('exit', resolve));
    this.proc.stdin.end();
    umount(this.mountPoint);
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
    this.proc.kill('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Waits until a thread of `pid` waits for a FUSE answer (hang-fs holding its request). */
export async function waitBlockedInFuse(pid: number): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  const blocked = () =>
    readdirSync(`/proc/${pid}/task`).some((tid) => {
      try {
        return readFileSync(`/proc/${pid}/task/${tid}/wchan`, 'utf8') === 'request_wait_answer';
      } catch {
        return false;
      }
    });
  while (!blocked()) {
    if (Date.now() > deadline) throw new Error(`process ${pid} is not waiting on FUSE`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function umount(target: string): void {
  try {
    execFileSync('umount', ['-l', target]);
  } catch {
    // already gone
  }
}
