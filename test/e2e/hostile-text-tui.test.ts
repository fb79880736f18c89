// The interactive view in a real terminal (tmux at 120×40) with names in UTF-8, wide
// characters, bytes that are not UTF-8 and terminal escapes: columns stay aligned by screen
// column, a wide line is cut at the terminal's width, invalid bytes show as \xNN, and no
// escape reaches the terminal (its title and clipboard stay untouched).
import { execFileSync } from 'node:child_process';
import stringWidth from 'string-width';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../helpers/cli.js';
import { startHostile, type HostileSet } from '../helpers/hostile-names.js';

const SOCKET = `memtop-text-${process.pid}`;
const COLUMNS = 120;
const WAIT_MS = 30_000;

function tmux(...args: string[]): string {
  return execFileSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8' });
}

async function waitFor(what: string, test: (screen: string) => boolean): Promise<string> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const screen = tmux('capture-pane', '-p', '-t', 'names');
    if (test(screen)) return screen;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; screen:\n${screen}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The screen column (0-based) where `text` starts in a captured line. */
const columnOf = (line: string, text: string) => stringWidth(line.slice(0, line.indexOf(text)));

let set: HostileSet;

beforeAll(async () => {
  set = await startHostile();
  tmux(
    '-f',
    '/dev/null',
    'new-session',
    '-d',
    '-s',
    'names',
    '-x',
    String(COLUMNS),
    '-y',
    '40',
    'bash --norc --noprofile',
  );
  // An OSC 52 that got through would land in a tmux buffer; a title change in pane_title.
  tmux('set-option', '-g', 'set-clipboard', 'on');
  tmux('set-option', '-g', 'allow-rename', 'on');
});

afterAll(async () => {
  try {
    tmux('kill-server');
  } catch {
    // no server left
  }
  await set?.stop();
});

describe('hostile names in the interactive view (requires tmux)', () => {
  it('aligns café and 進程 by screen column, shows \\xff, cuts wide lines, lets no escape through', async () => {
    const title = tmux('display-message', '-p', '-t', 'names', '#{pane_title}');
    const pids = set.processes.map((p) => p.pid).join(',');
    tmux(
      'send-keys',
      '-t',
      'names',
      `env CI=false ${CLI} -d 1 --budget off -p ${pids}; echo memtop-exit=$?`,
      'Enter',
    );
    const mark = set.mark;
    const screen = await waitFor(
      'the named processes',
      (s) =>
        s.includes(`café ${mark}`) &&
        s.includes(`進程 ${mark}`) &&
        s.includes('END') === false &&
        s.includes(`bad\\xff\\xfe ${mark}`),
    );
    const lines = screen.split('\n');
    const row = (text: string) => lines.find((l) => l.includes(text))!;
    const cafe = row(`café ${mark}`);
    const cjk = row(`進程 ${mark}`);
    const bad = row(`bad\\xff\\xfe ${mark}`);
    // The command column starts at one screen column in every row, and so does the word after
    // the name: café and 進程 are both 4 columns wide.
    const start = columnOf(cafe, 'café');
    expect(columnOf(cjk, '進程')).toBe(start);
    expect(columnOf(bad, 'bad')).toBe(start);
    expect(columnOf(cafe, mark)).toBe(start + 5);
    expect(columnOf(cjk, mark)).toBe(start + 5);
    expect(columnOf(bad, mark)).toBe(start + 12);
    // The 160-column command line is cut to the terminal: its row is 120 columns at most and
    // the line under it is a row of its own (nothing wrapped onto it).
    const longAt = lines.findIndex((l) => l.includes('進進進'));
    expect(longAt).toBeGreaterThan(0);
    expect(stringWidth(lines[longAt]!)).toBeLessThanOrEqual(COLUMNS);
    expect(columnOf(lines[longAt]!, '進')).toBe(start);
    expect(lines[longAt + 1]!.startsWith('進')).toBe(false);
    // Escapes shown as text; the terminal's title and clipboard untouched.
    expect(screen).toContain('?]52;c;cHduZWQ=??]2;pwned');
    expect(tmux('display-message', '-p', '-t', 'names', '#{pane_title}')).toBe(title);
    expect(tmux('list-buffers')).toBe('');
    tmux('send-keys', '-t', 'names', 'q');
    await waitFor('memtop to exit', (s) => s.includes('memtop-exit=0'));
  });
});
