// A read that never returns (a regular file on a hung FUSE mount, as hang-fs holds it) stops
// neither the interactive view's keys nor q, Ctrl-C and SIGTERM; the one-shot commands keep the
// default SIGINT and SIGTERM, which end them in the middle of such a read.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../helpers/cli.js';
import { FixtureProc } from '../helpers/fixture-proc.js';
import { HangFs, waitBlockedInFuse } from '../helpers/hang-fs.js';
import { Tmux, isCookedStty } from '../helpers/tmux.js';

const HEADER = /^memtop \d\d:\d\d:\d\d /;
/** How soon memtop must be gone once asked to quit (ms). */
const QUIT_MS = 1_000;

describe('a read that blocks in the kernel (requires root, FUSE and tmux)', () => {
  let fixture: FixtureProc;
  let fs: HangFs;
  const tmux = new Tmux();

  beforeAll(async () => {
    fixture = new FixtureProc();
    fixture.process({ pid: 100, comm: 'hung', cmdline: ['hung'] });
    fixture.process({ pid: 200, comm: 'other', cmdline: ['other'] });
    fs = await HangFs.start([{ name: 'hung' }]); // holds "hung\0"
    // Still a regular file, for stat and for open(O_NONBLOCK): only what reads it waits.
    fs.bind('hung', join(fixture.root, '100', 'cmdline'));
    tmux.open('t');
  });

  afterEach(() => fs.serve());

  afterAll(async () => {
    tmux.kill();
    await fs?.stop();
    fixture?.remove();
  });

  const ways: [string, (memtop: number) => void, number][] = [
    ['q', () => tmux.keys('t', 'q'), 0],
    ['Ctrl-C', () => tmux.keys('t', 'C-c'), 0],
    ['SIGTERM', (memtop) => process.kill(memtop, 'SIGTERM'), 143],
  ];
  for (const [way, quit, status] of ways) {
    it(`answers keys while its sampler waits, and ${way} ends it within a second, terminal restored`, async () => {
      tmux.command(
        't',
        `clear; ${CLI} -d 1 --proc-root ${fixture.root}; echo ${way}-exit=$?; stty -a`,
      );
      await tmux.waitFor('t', 'the view', (s) => HEADER.test(s) && / hung$/m.test(s));
      const memtop = tmux.child('t');
      fs.hold();
      await waitBlockedInFuse(memtop); // the next sample is stuck in its read
      tmux.keys('t', '?');
      await tmux.waitFor('t', 'the help screen', (s) => /Ctrl-Z +suspend/.test(s));
      tmux.keys('t', 'Escape');
      await tmux.waitFor('t', 'the list again', (s) => / hung$/m.test(s));
      quit(memtop);
      const after = await tmux.waitFor(
        't',
        `the shell within ${QUIT_MS} ms`,
        (s) => s.includes(`${way}-exit=${status}`) && /speed/.test(s),
        QUIT_MS,
      );
      expect(tmux.flag('t', 'alternate_on')).toBe('0');
      expect(isCookedStty(after.slice(after.indexOf(`${way}-exit=`)))).toBe(true);
    });
  }

  const commands: string[][] = [
    ['-b', '-d', '1'],
    ['snapshot'],
    ['libs'],
    ['shares', '100'],
    ['pagemaps', '100'],
  ];
  for (const args of commands) {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      it(`memtop ${args[0]} ends on ${signal} in the middle of the read`, async () => {
        fs.hold();
        const child = spawn(CLI, [...args, '--proc-root', fixture.root], { stdio: 'ignore' });
        const exited = new Promise<NodeJS.Signals | null>((resolve) =>
          child.once('exit', (_code, signalCode) => resolve(signalCode)),
        );
        await waitBlockedInFuse(child.pid!);
        child.kill(signal);
        const late = new Promise<'late'>((resolve) => setTimeout(() => resolve('late'), QUIT_MS));
        const ended = await Promise.race([exited, late]);
        if (ended === 'late') child.kill('SIGKILL');
        expect(ended).toBe(signal);
      });
    }
  }
});
