// Every JSON document memtop writes, through the built CLI (dist/cli.js) against a process this
// test starts: each opens with the one envelope, and each field of it is true of this machine.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ENVELOPE_SCHEMA, SCHEMA_VERSION } from '../../src/output/envelope.js';
import { runCli } from '../helpers/cli.js';

const PACKAGE_VERSION = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;
const KERNEL = readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim();
const FIELDS = ['schemaVersion', 'version', 'time', 'hostname', 'kernel', 'privileged'];

const validate = new Ajv2020({ strict: true }).compile(ENVELOPE_SCHEMA);

let child: ChildProcess;
let pid: number;
/** The first address of the child's first mapping: a page `shares --page` can look up. */
let address: string;

beforeAll(async () => {
  child = spawn('sleep', ['600'], { stdio: 'ignore' });
  pid = child.pid!;
  // The child is sleep once its command line says so (before exec it is a copy of this one).
  await vi.waitFor(
    () => expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8')).toBe('sleep\x00600\x00'),
    { timeout: 10_000 },
  );
  address = '0x' + readFileSync(`/proc/${pid}/maps`, 'utf8').split('-', 1)[0]!;
});

afterAll(() => {
  child.kill();
});

/** Every command (and form of one) that takes --json, and the fields its own part must have. */
const DOCUMENTS: { name: string; args: () => string[]; own: string[] }[] = [
  { name: 'snapshot', args: () => ['snapshot', '--json', '-p', String(pid)], own: ['processes'] },
  {
    name: 'snapshot --mappings',
    args: () => ['snapshot', '--json', '--mappings', '-p', String(pid)],
    own: ['pageSize', 'processes'],
  },
  {
    name: 'batch',
    args: () => ['-b', '--json', '-n', '2', '-d', '0.1', '-p', String(pid)],
    own: ['budgetPercent', 'processes'],
  },
  { name: 'libs', args: () => ['libs', '--json', '-p', String(pid)], own: ['libraries'] },
  { name: 'shares', args: () => ['shares', String(pid), '--json'], own: ['pid', 'sharesWith'] },
  {
    name: 'shares --page',
    args: () => ['shares', String(pid), '--page', address, '--json'],
    own: ['pid', 'address', 'resident', 'sharers'],
  },
];

/** Runs memtop and parses each line of its output as one document, timed by the clock around it. */
function documents(args: string[]) {
  const startMs = Date.now();
  const { status, stdout, stderr } = runCli(args);
  const endMs = Date.now();
  expect(stderr, args.join(' ')).toBe('');
  expect(status, args.join(' ')).toBe(0);
  const docs = stdout
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { docs, startMs, endMs };
}

/** The envelope is first, valid against its schema, and true of this machine and this run. */
function expectEnvelope(
  doc: Record<string, unknown>,
  run: { startMs: number; endMs: number },
  privileged: boolean,
  label: string,
) {
  expect(validate(doc), `${label}: ${JSON.stringify(validate.errors)}`).toBe(true);
  expect(Object.keys(doc).slice(0, FIELDS.length), label).toEqual(FIELDS);
  expect(doc['schemaVersion'], label).toBe(SCHEMA_VERSION);
  expect(doc['version'], label).toBe(PACKAGE_VERSION);
  expect(doc['hostname'], label).toBe(hostname());
  expect(doc['kernel'], label).toBe(KERNEL);
  expect(doc['privileged'], label).toBe(privileged);
  const timeMs = Date.parse(doc['time'] as string);
  expect(new Date(timeMs).toISOString(), label).toBe(doc['time']);
  expect(timeMs, label).toBeGreaterThanOrEqual(run.startMs);
  expect(timeMs, label).toBeLessThanOrEqual(run.endMs);
}

describe('the JSON envelope', () => {
  it('is listed here for every command that takes --json', () => {
    const help = runCli(['--help']).stdout;
    const list = help.slice(help.indexOf('Commands:'), help.indexOf('Options:'));
    const commands = [...list.matchAll(/^ {2}memtop(?: (\w+))?/gm)].map((m) => m[1] ?? '');
    expect(commands).toContain('snapshot');
    const withJson = commands.filter((c) => {
      const args = c === '' ? ['--help'] : [c, '--help'];
      return /^ +--json\b/m.test(runCli(args).stdout);
    });
    const covered = new Set(DOCUMENTS.map((d) => d.args()[0]));
    // The default command takes --json with -b.
    expect(withJson.map((c) => (c === '' ? '-b' : c)).sort()).toEqual([...covered].sort());
  });

  it.each(DOCUMENTS)('opens $name --json, with its own fields after it', ({ name, args, own }) => {
    expect(process.getuid?.()).toBe(0);
    const run = documents(args());
    expect(run.docs.length).toBeGreaterThan(0);
    for (const doc of run.docs) {
      expectEnvelope(doc, run, true, name);
      for (const field of own) expect(doc, `${name}: ${field}`).toHaveProperty(field);
    }
    if (name === 'batch') expect(run.docs).toHaveLength(2);
  });

  it('says privileged false when memtop acts as a plain user', () => {
    for (const args of [
      ['--unprivileged', 'snapshot', '--json', '-p', String(pid)],
      ['--unprivileged', 'libs', '--json', '-p', String(pid)],
    ]) {
      const run = documents(args);
      for (const doc of run.docs) expectEnvelope(doc, run, false, args.join(' '));
    }
  });

  it('has the version --version prints', () => {
    expect(runCli(['--version']).stdout.trim()).toBe(PACKAGE_VERSION);
  });
});
