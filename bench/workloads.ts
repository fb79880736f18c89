/**
 * The workloads of the performance table (docs/PERFORMANCE.md), each built from scratch and
 * left quiescent while it is measured: a fork family, a sparse reservation, 20,000 mappings,
 * and PostgreSQL when its Debian packages are installed.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import {
  chownSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { PAGE_SIZE, Workload } from '../test/helpers/workload.js';

export interface BenchWorkload {
  name: string;
  description: string;
  stop(): Promise<void>;
  /** The workload's own processes (to measure them apart from the rest of the host). */
  pids?(): number[];
}

/** A workload that started, or why it was skipped. */
export type Started = { workload: BenchWorkload } | { skipped: string };

export const FORK_REGION_PAGES = (2 * 2 ** 30) / PAGE_SIZE;
export const FORK_CHILDREN = 8;

/** 2 GiB private region written by the parent, forked into 8 children; child i writes (i+1)/16 of it. */
export async function startFork(): Promise<BenchWorkload> {
  const w = await Workload.start();
  try {
    const addr = await w.anon(FORK_REGION_PAGES);
    await w.fork(FORK_CHILDREN);
    for (let i = 0; i < FORK_CHILDREN; i++) {
      await w.child(i).write(addr, 0, Math.round((FORK_REGION_PAGES * (i + 1)) / 16));
    }
    // Settle the copy-on-write of each process's own stack and bss (see workload.ts).
    await w.send('pid');
    for (let i = 0; i < FORK_CHILDREN; i++) await w.child(i).send('pid');
  } catch (error) {
    await w.stop();
    throw error;
  }
  return {
    name: 'fork',
    description: `2 GiB private region, ${FORK_CHILDREN} children each wrote (i+1)/16 of it`,
    stop: () => w.stop(),
    pids: () => [w.pid, ...w.descendantPids()],
  };
}

/** One process with a 64 GiB PROT_NONE reservation whose first 8 MiB are RW and written. */
export async function startSparse(): Promise<BenchWorkload> {
  const w = await Workload.start();
  try {
    await w.reserve(64, 8);
  } catch (error) {
    await w.stop();
    throw error;
  }
  return {
    name: 'sparse',
    description: '64 GiB PROT_NONE reservation, 8 MiB touched',
    stop: () => w.stop(),
    pids: () => [w.pid, ...w.descendantPids()],
  };
}

/** One process with 20,000 one-page mappings, each written. */
export async function startMany(): Promise<BenchWorkload> {
  const w = await Workload.start();
  try {
    await w.many(20_000);
  } catch (error) {
    await w.stop();
    throw error;
  }
  return {
    name: 'many',
    description: 'one process with 20,000 mappings',
    stop: () => w.stop(),
    pids: () => [w.pid],
  };
}

const PG_PORT = 54329;
const PG_BACKENDS = 32;
/** ~225 MiB of pgbench_accounts: under shared_buffers / 4, so a sequential scan goes through
 * shared buffers (no ring buffer) and every backend maps the whole table. */
const PG_SCALE = 18;

function findPgBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => /^\d+$/.test(v))
    .sort((a, b) => Number(b) - Number(a));
  for (const v of versions) {
    const bin = join(root, v, 'bin');
    if (
      ['initdb', 'pg_ctl', 'postgres', 'pgbench', 'psql'].every((t) => existsSync(join(bin, t)))
    ) {
      return bin;
    }
  }
  return undefined;
}

interface PgUser {
  uid: number;
  gid: number;
}

/** Runs a PostgreSQL program as the postgres user (no runuser in between: kill() reaches it). */
function asPostgres(user: PgUser, cmd: string, args: string[]): string {
  return execFileSync(cmd, args, {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    cwd: '/tmp',
    uid: user.uid,
    gid: user.gid,
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', LC_ALL: 'C' },
  });
}

/**
 * PostgreSQL 15 with shared_buffers 1 GB, on a unix socket only (listen_addresses = ''), in a
 * throw-away data directory: a short pgbench, then 32 idle backends that each scanned
 * pgbench_accounts (held open by one pgbench process sleeping in its script).
 */
export async function startPostgres(): Promise<Started> {
  const bin = findPgBin();
  if (!bin) return { skipped: 'PostgreSQL not installed (apt-get install -y postgresql)' };
  let user: PgUser;
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    user = { uid, gid };
  } catch {
    return { skipped: 'no postgres user' };
  }
  const { uid } = user;
  const dir = mkdtempSync('/tmp/memtop-bench-pg-');
  chownSync(dir, uid, user.gid);
  const data = join(dir, 'data');
  const conn = ['-h', dir, '-p', String(PG_PORT), '-U', 'postgres'];
  let holder: ChildProcess | undefined;
  let started = false;
  const stop = async (): Promise<void> => {
    holder?.kill('SIGKILL');
    if (started) {
      try {
        asPostgres(user, join(bin, 'pg_ctl'), ['-D', data, '-m', 'fast', '-w', 'stop']);
      } catch {
        // already down
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    asPostgres(user, join(bin, 'initdb'), [
      '-D',
      data,
      '-U',
      'postgres',
      '--auth=trust',
      '--no-sync',
    ]);
    const conf = [
      "listen_addresses = ''",
      `unix_socket_directories = '${dir}'`,
      `port = ${PG_PORT}`,
      'shared_buffers = 1GB',
      'huge_pages = off',
      'max_connections = 64',
      'fsync = off',
      'synchronous_commit = off',
    ].join('\n');
    writeFileSync(join(data, 'postgresql.auto.conf'), `${conf}\n`);
    chownSync(join(data, 'postgresql.auto.conf'), uid, user.gid);
    asPostgres(user, join(bin, 'pg_ctl'), ['-D', data, '-l', join(dir, 'log'), '-w', 'start']);
    started = true;
    asPostgres(user, join(bin, 'pgbench'), [
      ...conn,
      '-i',
      '-q',
      '-s',
      String(PG_SCALE),
      'postgres',
    ]);
    asPostgres(user, join(bin, 'pgbench'), [
      ...conn,
      '-c',
      String(PG_BACKENDS),
      '-j',
      '2',
      '-T',
      '3',
      'postgres',
    ]);
    const script = join(dir, 'hold.sql');
    writeFileSync(script, 'SELECT sum(abalance) FROM pgbench_accounts;\n\\sleep 1000 s\n');
    chownSync(script, uid, user.gid);
    holder = spawn(
      join(bin, 'pgbench'),
      [...conn, '-n', '-c', String(PG_BACKENDS), '-j', '1', '-t', '1', '-f', script, 'postgres'],
      { stdio: 'ignore', cwd: '/tmp', uid: user.uid, gid: user.gid },
    );
    const deadline = Date.now() + 120_000;
    const query =
      "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' AND state = 'idle'";
    for (;;) {
      const idle = Number(
        asPostgres(user, join(bin, 'psql'), [...conn, '-Atc', query, 'postgres']).trim(),
      );
      if (idle >= PG_BACKENDS) break;
      if (holder.exitCode !== null) throw new Error(`pgbench exited with ${holder.exitCode}`);
      if (Date.now() > deadline) throw new Error(`only ${idle} idle backends after 120 s`);
      await sleep(500);
    }
    await sleep(1000); // let the psql backend of the last check exit
  } catch (error) {
    const log = existsSync(join(dir, 'log'))
      ? readFileSync(join(dir, 'log'), 'utf8').slice(-2000)
      : '';
    await stop();
    return { skipped: `PostgreSQL failed to start: ${String(error)}\n${log}` };
  }
  return {
    workload: {
      name: 'postgres',
      description: `PostgreSQL, shared_buffers 1 GB, ${PG_BACKENDS} idle backends after pgbench`,
      stop,
      pids: () => postmasterFamily(data),
    },
  };
}

/** The postmaster (first line of postmaster.pid) and its children. */
function postmasterFamily(data: string): number[] {
  const postmaster = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
  const pids = [postmaster];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'latin1');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === postmaster) pids.push(Number(name));
    } catch {
      // gone
    }
  }
  return pids;
}
