// The command line as a user meets it: help, version, outputs, and one-line errors.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { Sampler } from '../../src/sampler/sampler.js';
import { CLI, runCli, runJson } from '../helpers/cli.js';
import { parseCsvCells } from '../helpers/csv.js';

/** Waits until the child has exec'd: its /proc/PID/cmdline holds `argv`, NUL-terminated. */
async function untilExeced(child: ChildProcess, argv: readonly string[]): Promise<number> {
  const pid = child.pid!;
  await vi.waitFor(
    () => expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8')).toBe(argv.join('\0') + '\0'),
    { timeout: 10_000, interval: 20 },
  );
  return pid;
}

describe('memtop --help and --version', () => {
  it('lists every command and option, with examples', () => {
    const { status, stdout } = runCli(['--help']);
    expect(status).toBe(0);
    for (const word of [
      'snapshot',
      'pagemaps <pid>',
      '--batch',
      '--proc-root',
      '--unprivileged',
      '--delay',
      'Examples:',
    ]) {
      expect(stdout).toContain(word);
    }
    const snap = runCli(['snapshot', '--help']).stdout;
    for (const word of ['--json', '--csv', '--mappings', '--sort', '--limit', '--pid'])
      expect(snap).toContain(word);
  });

  it('prints the package version', () => {
    const { status, stdout } = runCli(['--version']);
    expect(status).toBe(0);
    expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('takes a count written with a leading zero as the number it is', () => {
    const { status, stdout } = runCli(['snapshot', '--limit', '01']);
    expect(status).toBe(0);
    expect(stdout.split('\n').filter((line) => /^ *\d+ /.test(line))).toHaveLength(1);
  });

  it('runs as the bin itself, through its shell preamble, with its arguments and exit status', () => {
    const version = spawnSync(CLI, ['--version'], { encoding: 'utf8' });
    expect(version.status).toBe(0);
    expect(version.stdout).toBe(runCli(['--version']).stdout);
    const bad = spawnSync(CLI, ['snapshot', '--limit', 'two words'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe('memtop: --limit expects a whole number ≥ 1; got "two words"\n');
  });
});

describe('memtop snapshot', () => {
  it('prints a top-like table sorted by USS', () => {
    const { status, stdout } = runCli(['snapshot', '--limit', '5']);
    expect(status).toBe(0);
    const lines = stdout.split('\n');
    expect(lines[0]).toMatch(/^memtop - \S+ +Linux \S+/);
    expect(lines[1]).toMatch(/^Mem: .* total, .* available .*sharing saves/);
    const title = lines.findIndex((l) =>
      /^\s+PID USER\s+▼USS\s+PSS\s+RSS\s+SHARED PRIV-DIRTY\s+SWAP COMMAND$/.test(l),
    );
    expect(title).toBeGreaterThan(0);
    expect(lines.slice(title + 1).filter((l) => l !== '')).toHaveLength(5);
  });

  it('prints a hostile command line as one line of plain text', async () => {
    // A newline and an escape sequence in argv reach /proc/PID/cmdline unchanged.
    const hostile = 'evil\nname\x1b[2J\x1b]0;title\x07';
    const child = spawn('sh', ['-c', 'sleep 60; :', hostile], { stdio: 'ignore' });
    try {
      const pid = String(await untilExeced(child, ['sh', '-c', 'sleep 60; :', hostile]));
      const { status, stdout } = runCli(['snapshot', '-p', pid]);
      expect(status).toBe(0);
      // eslint-disable-next-line no-control-regex
      expect(stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f]/);
      const rows = stdout.split('\n').filter((l) => l.trimStart().startsWith(`${pid} `));
      expect(rows).toHaveLength(1);
      expect(rows[0]).toContain('sh -c sleep 60; : evil?name?[2J?]0;title?');
      const json = runJson(['-p', pid]);
      expect(json.processes[0]!.cmdline).toBe(`sh -c sleep 60; : ${hostile}`);
    } finally {
      child.kill();
    }
  });

  it('prints the documented JSON document', () => {
    const snap = runJson(['--limit', '3', '--mappings']);
    expect(Object.keys(snap)).toEqual(
      expect.arrayContaining(['time', 'kernel', 'pageSize', 'privileged', 'totals', 'processes']),
    );
    expect(snap.pageSize).toBe(4096);
    expect(Object.keys(snap.totals)).toEqual(
      expect.arrayContaining(['memTotal', 'memAvailable', 'rss', 'pss', 'sharingSaves']),
    );
    const p = snap.processes[0]!;
    for (const key of [
      'pid',
      'ppid',
      'user',
      'comm',
      'cmdline',
      'rss',
      'pss',
      'uss',
      'shared',
      'sharedClean',
      'sharedDirty',
      'privateClean',
      'privateDirty',
      'swap',
      'anon',
      'file',
      'shmem',
      'ksm',
      'restricted',
      'mappings',
    ]) {
      expect(p).toHaveProperty(key);
    }
    const m = p.mappings![0]!;
    expect(m.start).toMatch(/^0x[0-9a-f]+$/);
    expect(m.end).toMatch(/^0x[0-9a-f]+$/);
    // Per-mapping counters add up to the process's.
    const sum = (k: 'rss' | 'uss' | 'shared') => p.mappings!.reduce((s, x) => s + (x[k] ?? 0), 0);
    expect(sum('rss')).toBe(p.rss);
    expect(sum('uss')).toBe(p.uss);
    expect(sum('shared')).toBe(p.shared);
    // Sorted by USS, largest first.
    const uss = snap.processes.map((x) => x.uss ?? -1);
    expect([...uss].sort((a, b) => b - a)).toEqual(uss);
  });

  it('sorts by the key asked for', () => {
    for (const key of ['pss', 'rss', 'shared'] as const) {
      const snap = runJson(['--sort', key, '--limit', '6']);
      const values = snap.processes.map((p) => p[key] ?? -1);
      expect([...values].sort((a, b) => b - a)).toEqual(values);
    }
  });

  it('prints CSV with a header and quoted command lines', async () => {
    const { status, stdout } = runCli(['snapshot', '--csv', '--limit', '3']);
    expect(status).toBe(0);
    const [header, ...rows] = stdout.trim().split('\n');
    expect(header).toBe(
      'pid,ppid,user,comm,restricted,rss,pss,uss,shared,sharedClean,sharedDirty,privateClean,privateDirty,swap,anon,file,shmem,ksm,cmdline',
    );
    expect(rows).toHaveLength(3);

    // Command lines with a comma, a double quote and a newline, one of them starting a formula.
    const formula = '=HYPERLINK("http://x","y"),1\nrow';
    const plain = 'say "hi", then\nsleep';
    const children = [formula, plain].map((argv0) =>
      spawn('sleep', ['60'], { argv0, stdio: 'ignore' }),
    );
    try {
      const [formulaPid, plainPid] = await Promise.all(
        children.map((child, i) => untilExeced(child, [[formula, plain][i]!, '60'])),
      );
      const csv = runCli(['snapshot', '--csv', '-p', `${formulaPid},${plainPid}`]);
      expect(csv.status, csv.stderr).toBe(0);
      const [head, ...records] = parseCsvCells(csv.stdout);
      expect(records).toHaveLength(2); // the newlines did not split a record
      const cmdlineOf = (pid: number) => {
        const record = records.find((r) => r[head!.indexOf('pid')] === String(pid));
        expect(record).toHaveLength(head!.length);
        return record![head!.indexOf('cmdline')];
      };
      // Sanitized as on the terminal (the newline is a control: '?'); a cell that would start a
      // formula gets a leading quote; the arguments joined by spaces.
      expect(cmdlineOf(formulaPid!)).toBe(`'=HYPERLINK("http://x","y"),1?row 60`);
      expect(cmdlineOf(plainPid!)).toBe('say "hi", then?sleep 60');
      // Both were quoted, quotes doubled: no cell of the raw text holds a bare quote.
      expect(csv.stdout).toContain(`,"'=HYPERLINK(""http://x"",""y""),1?row 60"\n`);
      expect(csv.stdout).toContain(`,"say ""hi"", then?sleep 60"\n`);
    } finally {
      for (const child of children) child.kill();
    }
  });

  it('limits the sample to the pids given', () => {
    const snap = runJson(['-p', `${process.pid}`, '--include-self']);
    expect(snap.processes.map((p) => p.pid)).toEqual([process.pid]);
  });
});

describe('batch mode', () => {
  it('prints N frames at the interval', () => {
    const started = Date.now();
    const { status, stdout } = runCli(['--batch', '-n', '2', '-d', '0.2', '--limit', '3']);
    expect(status).toBe(0);
    expect(stdout.match(/^memtop - /gm)).toHaveLength(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(200);
  });

  it('prints one JSON object per line with --json', () => {
    const { stdout } = runCli(['--batch', '--json', '-n', '2', '-d', '0.1', '--limit', '2']);
    const frames = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(frames).toHaveLength(2);
    expect(frames[0].processes).toHaveLength(2);
  });

  it('prints batch frames when stdout is not a terminal', () => {
    const { stdout } = runCli(['-n', '1', '--limit', '1']);
    expect(stdout).toMatch(/^memtop - /);
  });
});

describe('bad input', () => {
  const cases: [string[], RegExp][] = [
    [
      ['snapshot', '--sort', 'bogus'],
      /^memtop: --sort expects one of uss, pss, rss, shared, dirty, swap, pid, name; got "bogus"\n$/,
    ],
    [['snapshot', '-p', 'abc'], /^memtop: -p expects process ids like 123,456; got "abc"\n$/],
    [['snapshot', '--limit', '0'], /^memtop: --limit expects a whole number ≥ 1; got "0"\n$/],
    [['snapshot', '--limit', 'ten'], /^memtop: --limit expects a whole number ≥ 1; got "ten"\n$/],
    [['snapshot', '--limit'], /^memtop: Not enough arguments following: limit\n$/],
    [['-b', '-d', 'soon'], /^memtop: -d expects seconds between 0.1 and 3600; got "soon"\n$/],
    [['-b', '-d', '-1'], /^memtop: -d expects seconds between 0.1 and 3600; got "-1"\n$/],
    [
      ['-b', '--budget', '0'],
      /^memtop: --budget expects a percentage of one core above 0 \(like 10 or 2\.5\), or off; got "0"\n$/,
    ],
    [['-b', '--budget', 'lots'], /^memtop: --budget expects a percentage .* got "lots"\n$/],
    [['snapshot', '--budget', '5'], /^memtop: Unknown argument: budget\n$/],
    [['snapshot', '--frobnicate'], /^memtop: Unknown argument: frobnicate\n$/],
    [['snapshot', '--json', '--csv'], /^memtop: Arguments json and csv are mutually exclusive\n$/],
    [['pagemaps'], /^memtop: Not enough non-option arguments: got 0, need at least 1\n$/],
    [['nonsense-command'], /^memtop: Unknown argument: nonsense-command\n$/],
  ];
  it.each(cases)('memtop %j fails with one line and exit 2', (args, message) => {
    const { status, stdout, stderr } = runCli(args);
    expect(stderr).toMatch(message);
    expect(status).toBe(2);
    expect(stdout).toBe('');
  });

  it('fails with exit 1 and one line for an unknown pid', () => {
    const { status, stderr } = runCli(['snapshot', '-p', '999999999']);
    expect(status).toBe(1);
    expect(stderr).toBe('memtop: no such process: 999999999\n');
  });

  it('refuses a system that is not Linux with a clear error', () => {
    const platform = Object.getOwnPropertyDescriptor(process, 'platform')!;
    Object.defineProperty(process, 'platform', { value: 'darwin' });
    try {
      expect(() => Sampler.open()).toThrow(
        'memtop needs Linux (/proc/PID/pagemap); this system is darwin',
      );
    } finally {
      Object.defineProperty(process, 'platform', platform);
    }
  });
});
