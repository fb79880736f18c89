// A tmux server of the test's own (-L socket) with shells in detached sessions: keys in, screens out.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const WAIT_MS = 20_000;

export class Tmux {
  private readonly socket = `memtop-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;

  run(...args: string[]): string {
    return execFileSync('tmux', ['-L', this.socket, ...args], { encoding: 'utf8' });
  }

  /** A bash (no rc files, job control on) in a new session of 120×40. */
  open(name: string): void {
    this.run('new-session', '-d', '-s', name, '-x', '120', '-y', '40', 'bash --norc --noprofile');
  }

  screen(name: string): string {
    return this.run('capture-pane', '-p', '-t', name);
  }

  flag(name: string, flag: 'alternate_on' | 'pane_pid'): string {
    return this.run('display-message', '-p', '-t', name, `#{${flag}}`).trim();
  }

  keys(name: string, ...keys: string[]): void {
    this.run('send-keys', '-t', name, ...keys);
  }

  /** Types a command line and runs it. */
  command(name: string, line: string): void {
    this.run('send-keys', '-t', name, '-l', line);
    this.run('send-keys', '-t', name, 'Enter');
  }

  /** The pid of the shell's first child (the command it runs in the foreground). */
  child(name: string): number {
    const shell = this.flag(name, 'pane_pid');
    const children = readFileSync(`/proc/${shell}/task/${shell}/children`, 'utf8').trim();
    return Number(children.split(/\s+/)[0]);
  }

  /** Polls the screen until `test` holds; fails with the last screen after `timeoutMs`. */
  async waitFor(
    name: string,
    what: string,
    test: (text: string) => boolean,
    timeoutMs = WAIT_MS,
  ): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const text = this.screen(name);
      if (test(text)) return text;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; screen:\n${text}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  kill(): void {
    try {
      this.run('kill-server');
    } catch {
      // no server left to kill
    }
  }
}

/** The terminal modes `stty -a` prints: whether the line discipline is back to cooked. */
export function isCookedStty(text: string): boolean {
  return /(^|\s)icanon(\s|$)/m.test(text) && /(^|\s)echo(\s|$)/m.test(text);
}
