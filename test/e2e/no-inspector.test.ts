// SIGUSR1 makes Node open its inspector on 127.0.0.1:9229, where any local user could run code
// in a root memtop. In every mode, memtop run as root (the bin, as users run it) gets SIGUSR1
// several times and must still own no listening socket at all.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../helpers/cli.js';
import { FixtureProc } from '../helpers/fixture-proc.js';
import { HangFs, waitBlockedInFuse } from '../helpers/hang-fs.js';
import { Tmux } from '../helpers/tmux.js';

const INSPECTOR_PORT = 9229;
/**
 * How long memtop is watched for a listening socket after the signals. Node's inspector
 * listens within milliseconds of the signal (of the next JavaScript run); a negative can only
 * be observed for a while.
 */
const WATCH_MS = 1_000;

/** Inodes of the sockets `pid` holds open. */
function socketInodes(pid: number): Set<string> {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]!);
    } catch {
      // closed meanwhile
    }
  }
  return inodes;
}

/** The listening sockets of `pid` (TCP state 0A; unix sockets accepting connections). */
function listeningSockets(pid: number): string[] {
  const mine = socketInodes(pid);
  const found: string[] = [];
  for (const file of ['tcp', 'tcp6']) {
    for (const line of readFileSync(`/proc/${pid}/net/${file}`, 'utf8').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f[3] === '0A' && mine.has(f[9]!)) found.push(`${file} ${f[1]}`);
    }
  }
  for (const line of readFileSync(`/proc/${pid}/net/unix`, 'utf8').split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if ((parseInt(f[3] ?? '0', 16) & 0x10000) !== 0 && mine.has(f[6]!))
      found.push(`unix ${f[7] ?? ''}`);
  }
  return found;
}

function connectionRefused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}

/** SIGUSR1 three times, then no listening socket in memtop and none on 9229, for WATCH_MS. */
async function signalAndWatch(pid: number): Promise<void> {
  for (let i = 0; i < 3; i++) process.kill(pid, 'SIGUSR1');
  const until = Date.now() + WATCH_MS;
  do {
    expect(listeningSockets(pid)).toEqual([]);
    expect(await connectionRefused(INSPECTOR_PORT)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 50));
  } while (Date.now() < until);
}

describe('SIGUSR1 never opens an inspector (requires root, FUSE and tmux)', () => {
  let sleeper: ChildProcess;
  let fixture: FixtureProc;
  let status: HangFs;
  let cmdline: HangFs;
  const tmux = new Tmux();

  beforeAll(async () => {
    sleeper = spawn('sleep', ['1000'], { stdio: 'ignore' });
    // A privileged fixture process with one page, whose status and cmdline reads the test
    // holds up one after the other: a one-shot command stays alive between them, and runs
    // JavaScript in between (where Node would open the inspector it was signalled for).
    fixture = new FixtureProc();
    fixture.kpages([{ pfn: 7, count: 1, flags: 1 << 12 }]);
    fixture.process({
      pid: 100,
      comm: 'hung',
      mappings: [{ start: 0x400000, end: 0x401000, pages: [{ index: 0, pfn: 7 }] }],
    });
    status = await HangFs.start([{ name: 'status', text: 'Name:\thung\nUid:\t0\t0\t0\t0\n' }]);
    cmdline = await HangFs.start([{ name: 'hung' }]);
    status.bind('status', join(fixture.root, '100', 'status'));
    cmdline.bind('hung', join(fixture.root, '100', 'cmdline'));
    tmux.open('t');
  });

  afterAll(async () => {
    tmux.kill();
    sleeper.kill('SIGKILL');
    await status?.stop();
    await cmdline?.stop();
    fixture?.remove();
  });

  it('in the interactive view', async () => {
    tmux.command('t', `clear; ${CLI} -d 1 -p ${sleeper.pid}; echo exit=$?`);
    await tmux.waitFor('t', 'the view', (s) => s.includes(`${sleeper.pid} `));
    const memtop = tmux.child('t');
    await signalAndWatch(memtop);
    tmux.keys('t', 'q');
    await tmux.waitFor('t', 'the shell', (s) => s.includes('exit=0'));
  });

  it('in batch mode (-b)', async () => {
    const child = spawn(CLI, ['-b', '-d', '0.5', '-p', String(sleeper.pid)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    try {
      await new Promise<void>((resolve) => {
        const onData = () => out.includes(`${sleeper.pid} `) && resolve();
        child.stdout!.on('data', onData);
      });
      await signalAndWatch(child.pid!);
      expect(child.exitCode).toBe(null);
    } finally {
      child.kill('SIGKILL');
    }
  });

  const commands = [['snapshot'], ['libs'], ['shares', '100'], ['pagemaps', '100']];
  for (const args of commands) {
    it(`in memtop ${args[0]}`, async () => {
      status.hold();
      cmdline.hold();
      const child = spawn(CLI, [...args, '--proc-root', fixture.root], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      child.stdout!.resume();
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      try {
        await waitBlockedInFuse(child.pid!); // reading status
        for (let i = 0; i < 3; i++) process.kill(child.pid!, 'SIGUSR1');
        status.serve();
        await cmdline.waitPending(); // JavaScript ran, now it reads cmdline
        await waitBlockedInFuse(child.pid!);
        await signalAndWatch(child.pid!);
        cmdline.serve();
        expect(await exited).toBe(0);
        expect(stderr).toBe('');
      } finally {
        status.serve();
        cmdline.serve();
        child.kill('SIGKILL');
      }
    });
  }
});
