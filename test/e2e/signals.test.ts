// The interactive view under signals, in tmux: every catchable terminating signal restores the
// terminal; job control (SIGTSTP, SIGTTIN, SIGTTOU from outside, Ctrl-Z, even SIGSTOP) hands
// the terminal back to the shell in its own modes, and `fg` brings the view back whole.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { TERMINATING_SIGNALS } from '../../src/commands/job-control.js';
import { CLI } from '../helpers/cli.js';
import { Tmux, isCookedStty } from '../helpers/tmux.js';

const HEADER = /^memtop \d\d:\d\d:\d\d /;
const WAIT = { timeout: 20_000, interval: 20 };

describe('the interactive view under signals and job control (requires tmux)', () => {
  const tmux = new Tmux();
  let target: ChildProcess;
  let dir: string;

  beforeAll(() => {
    // memtop watches this one process: each start is quick and light.
    target = spawn('sleep', ['1000'], { stdio: 'ignore' });
    dir = mkdtempSync(join(tmpdir(), 'memtop-signals-'));
    tmux.open('t');
  });

  // A test that failed half way leaves its memtop in the shell: the next starts afresh.
  afterEach(() => {
    try {
      const memtop = tmux.child('t');
      if (memtop > 0) process.kill(memtop, 'SIGKILL');
    } catch {
      // the shell is idle
    }
  });

  afterAll(() => {
    tmux.kill();
    target.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  /** Runs the view on its own (no command after it: a stopped job must leave the shell idle). */
  async function startView(): Promise<number> {
    tmux.command('t', `clear; ${CLI} -d 1 -p ${target.pid}`);
    await tmux.waitFor('t', 'the view', (s) => HEADER.test(s) && s.includes(`${target.pid} `));
    expect(tmux.flag('t', 'alternate_on')).toBe('1');
    return tmux.child('t');
  }

  /** `stty -a` as the shell sees the terminal now. */
  async function sttyNow(label: string): Promise<string> {
    const file = join(dir, `stty-${label}`);
    tmux.command('t', `clear; stty -a > ${file}; echo ${label}-done`);
    await tmux.waitFor('t', `stty (${label})`, (s) => new RegExp(`^${label}-done$`, 'm').test(s));
    return readFileSync(file, 'utf8');
  }

  for (const signal of TERMINATING_SIGNALS) {
    it(`restores the terminal on ${signal} and exits with 128 + its number`, async () => {
      const memtop = await startView();
      process.kill(memtop, signal);
      await vi.waitFor(() => expect(existsSync(`/proc/${memtop}`)).toBe(false), WAIT);
      const status = 128 + constants.signals[signal];
      tmux.command('t', `echo ${signal}-exit=$?`);
      await tmux.waitFor('t', 'the shell', (s) => s.includes(`${signal}-exit=${status}`));
      expect(tmux.flag('t', 'alternate_on')).toBe('0');
      expect(isCookedStty(await sttyNow(signal))).toBe(true);
    });
  }

  it('leaves SIGPIPE ignored: a write to a closed pipe fails instead of killing it', async () => {
    const memtop = await startView();
    const ignored = BigInt(
      `0x${/^SigIgn:\s*(\w+)$/m.exec(readFileSync(`/proc/${memtop}/status`, 'utf8'))![1]}`,
    );
    for (const signal of ['SIGPIPE'] as const)
      expect(ignored & (1n << BigInt(constants.signals[signal] - 1)), signal).not.toBe(0n);
    tmux.keys('t', 'q');
    await vi.waitFor(() => expect(existsSync(`/proc/${memtop}`)).toBe(false), WAIT);
  });

  const stops: [string, (memtop: number) => void][] = [
    ['SIGTSTP', (memtop) => process.kill(memtop, 'SIGTSTP')],
    ['SIGTTIN', (memtop) => process.kill(memtop, 'SIGTTIN')],
    ['SIGTTOU', (memtop) => process.kill(memtop, 'SIGTTOU')],
    ['Ctrl-Z', () => tmux.keys('t', 'C-z')],
  ];
  for (const [name, stop] of stops) {
    it(`suspends on ${name} with the terminal restored, and fg brings the view back whole`, async () => {
      const memtop = await startView();
      stop(memtop);
      await tmux.waitFor('t', 'the job stopped', (s) => /Stopped +\S*cli\.js -d 1/.test(s));
      expect(tmux.flag('t', 'alternate_on')).toBe('0');
      expect(readFileSync(`/proc/${memtop}/stat`, 'utf8')).toMatch(/^\d+ \(.*\) T /);
      expect(isCookedStty(await sttyNow(`stopped-${name}`))).toBe(true);
      tmux.command('t', 'clear; fg; echo fg-exit=$?');
      // The whole frame, on the alternate screen again: none of the shell's lines show through.
      const back = await tmux.waitFor(
        't',
        'the view again',
        (s) => HEADER.test(s) && s.includes(`${target.pid} `) && s.includes('q Quit'),
      );
      expect(back).not.toContain('done');
      expect(tmux.flag('t', 'alternate_on')).toBe('1');
      // Keys work: raw mode is back (a cooked terminal would wait for Enter).
      tmux.keys('t', '?');
      await tmux.waitFor('t', 'the help screen', (s) => /Ctrl-Z +suspend/.test(s));
      tmux.keys('t', 'q');
      await tmux.waitFor('t', 'the shell', (s) => s.includes('fg-exit=0'));
      expect(isCookedStty(await sttyNow(`after-${name}`))).toBe(true);
    });
  }

  it('comes back in raw mode, redrawn, after a SIGSTOP it could not see', async () => {
    const memtop = await startView();
    process.kill(memtop, 'SIGSTOP');
    await tmux.waitFor('t', 'the job stopped', (s) => /Stopped/.test(s));
    tmux.command('t', 'fg; echo fg-exit=$?');
    await tmux.waitFor('t', 'the view again', (s) => HEADER.test(s) && s.includes('q Quit'));
    tmux.keys('t', '?');
    await tmux.waitFor('t', 'the help screen', (s) => /Ctrl-Z +suspend/.test(s));
    tmux.keys('t', 'q');
    await tmux.waitFor('t', 'the shell', (s) => s.includes('fg-exit=0'));
    expect(tmux.flag('t', 'alternate_on')).toBe('0');
    expect(isCookedStty(await sttyNow('after-SIGSTOP'))).toBe(true);
  });
});
