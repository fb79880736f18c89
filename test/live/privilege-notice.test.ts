// The notice that says why map counts are hidden names the check that failed: the capability,
// kpagecount's mode, or page frame numbers missing from pagemap.
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, type SnapshotJson } from '../helpers/cli.js';

const NOBODY = String(65534);
const AS_NOBODY = ['setpriv', `--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups'];

let dir: string;
/** A copy of node with `setcap cap_sys_admin+ep`, as some guides suggest instead of sudo. */
let capableNode: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'memtop-cap-'));
  chmodSync(dir, 0o755);
  capableNode = join(dir, 'node');
  copyFileSync(process.execPath, capableNode);
  chmodSync(capableNode, 0o755);
  const setcap = spawnSync('setcap', ['cap_sys_admin+ep', capableNode], { encoding: 'utf8' });
  if (setcap.status !== 0) throw new Error(`setcap failed: ${setcap.stderr || setcap.error}`);
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function notices(argv: string[]): string[] {
  const result = spawnSync(
    argv[0]!,
    [...argv.slice(1), CLI, 'snapshot', '--json', '--limit', '1'],
    {
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
    },
  );
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  const snap = JSON.parse(result.stdout) as SnapshotJson;
  expect(snap.privileged).toBe(false);
  return snap.notices;
}

describe('the privilege notice', () => {
  it('with cap_sys_admin on node, names kpagecount’s mode and says to use sudo', () => {
    const [notice] = notices([...AS_NOBODY, capableNode]);
    expect(notice).toMatch(
      /^CAP_SYS_ADMIN is effective, but \/proc\/kpagecount cannot be opened \(permission denied; mode 0400, owned by root: readable by root alone\): map counts and page flags are hidden; /,
    );
    expect(notice).toMatch(/root-equivalent: run memtop as root \(sudo\) instead\.$/);
    expect(notice).not.toMatch(/no CAP_SYS_ADMIN/);
  });

  it('as root without CAP_SYS_ADMIN, says that pagemap hides page frame numbers', () => {
    const [notice] = notices(['setpriv', '--bounding-set', '-sys_admin', process.execPath]);
    expect(notice).toMatch(
      /^no CAP_SYS_ADMIN: kpagecount is readable, but pagemap hides page frame numbers without the capability: /,
    );
  });

  it('as a plain user, says the capability is missing', () => {
    const [notice] = notices([...AS_NOBODY, process.execPath]);
    expect(notice).toMatch(
      /^no CAP_SYS_ADMIN: map counts and page flags are hidden; .* Run as root/,
    );
  });
});
