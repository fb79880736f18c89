// Runs the built memtop CLI as a separate process, optionally as another user.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { JsonCounters } from '../../src/output/json.js';

const PACKAGE = new URL('../../package.json', import.meta.url);

/** The shipped entry, the package's `memtop` bin (the bundle `npm run build` writes). */
export const CLI = fileURLToPath(
  new URL(
    (JSON.parse(readFileSync(PACKAGE, 'utf8')) as { bin: { memtop: string } }).bin.memtop,
    PACKAGE,
  ),
);

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(
  args: string[],
  options: { uid?: number; gid?: number; env?: NodeJS.ProcessEnv } = {},
): CliResult {
  const argv =
    options.uid === undefined
      ? [process.execPath, CLI, ...args]
      : [
          'setpriv',
          `--reuid=${options.uid}`,
          `--regid=${options.gid ?? options.uid}`,
          '--clear-groups',
          process.execPath,
          CLI,
          ...args,
        ];
  const result = spawnSync(argv[0]!, argv.slice(1), {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', ...options.env },
    maxBuffer: 1 << 30,
    timeout: 120_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/**
 * Runs the CLI without blocking the test, killed (SIGKILL: a process stuck in a read may ignore
 * SIGTERM) when it has not ended within `timeoutMs`; `timedOut` tells.
 */
export function runCliAsync(
  args: string[],
  options: { timeoutMs: number; maxOutputBytes?: number },
): Promise<CliResult & { timedOut: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const limit = options.maxOutputBytes ?? 64 << 20;
    let timedOut = false;
    let stdout = '';
    let stderr = '';
    const stop = () => {
      timedOut = true;
      child.kill('SIGKILL');
    };
    const timer = setTimeout(stop, options.timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      stdout += text;
      // Output without end (a listing of a bogus range) counts as not ending.
      if (stdout.length > limit) stop();
    });
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr, timedOut });
    });
  });
}

/** Parses `memtop snapshot --json` output. */
export function runJson(args: string[], options: { uid?: number } = {}) {
  const result = runCli(['snapshot', '--json', ...args], options);
  if (result.status !== 0) throw new Error(`memtop failed (${result.status}): ${result.stderr}`);
  return JSON.parse(result.stdout) as SnapshotJson;
}

export type CountersJson = JsonCounters;

export interface MappingJson extends CountersJson {
  start: string;
  end: string;
  perms: string;
  offset: string;
  dev: string;
  inode: number;
  path: string;
}

export interface ProcessJson extends CountersJson {
  pid: number;
  ppid: number | null;
  startTime: number;
  user: string;
  uid: number | null;
  comm: string;
  cmdline: string;
  restricted: boolean;
  access: string;
  mappings?: MappingJson[];
}

export interface SnapshotJson {
  time: string;
  kernel: string;
  pageSize: number;
  privileged: boolean;
  notices: string[];
  totals: Record<string, number | null>;
  processes: ProcessJson[];
}
