// Change tracking as a plain user: without PFNs only presence and the exclusive bit are known.
// Copy-on-write breaks and unsharing cannot be told apart (both are "became private"); the
// classes that need PFNs are reported as unavailable (null), never as a wrong number.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Workload } from '../helpers/workload.js';
import { CowModel, type PageView } from './cow-model.js';

const NOBODY = 65534;
const SERVER = fileURLToPath(new URL('../helpers/sampler-server.mjs', import.meta.url));
const STEPS = 3;
const SLICE = 32;

let server: ChildProcessWithoutNullStreams;
let lines: AsyncIterableIterator<string>;
let parent: Workload;

interface Reply {
  privileged: boolean;
  processes: {
    pid: number;
    access: string;
    totals: Record<string, number | null> | null;
    mappings: { start: number; changes: Record<string, number | null> | null }[];
  }[];
}

async function sample(pids: number[]): Promise<Reply> {
  server.stdin.write(`sample ${pids.join(',')}\n`);
  const next = await lines.next();
  return JSON.parse(next.value as string) as Reply;
}

beforeAll(async () => {
  parent = await Workload.start({ uid: NOBODY, gid: NOBODY });
  server = spawn('setpriv', [
    `--reuid=${NOBODY}`,
    `--regid=${NOBODY}`,
    '--clear-groups',
    process.execPath,
    SERVER,
  ]);
  lines = createInterface({ input: server.stdout })[Symbol.asyncIterator]();
}, 60_000);

afterAll(async () => {
  server?.stdin.end();
  await parent?.stop();
});

/** Without PFNs: a page that went from shared to mapped-once "became private". */
function expectedFlags(before: PageView[], after: PageView[]) {
  let becamePrivate = 0;
  let becameShared = 0;
  before.forEach((b, p) => {
    const a = after[p]!;
    if (b.count >= 2 && a.count === 1) becamePrivate++;
    if (b.count === 1 && a.count >= 2) becameShared++;
  });
  return { becamePrivate, becameShared };
}

describe('page transitions as a plain user', () => {
  it('reports what the exclusive bit tells, and marks the classes that need PFNs unavailable', async () => {
    const region = await parent.anon(STEPS * SLICE);
    const model = new CowModel(parent.pid, STEPS * SLICE);
    const family = [parent.pid];
    let first = await sample(family);
    expect(first.privileged).toBe(false);
    expect(first.processes[0]!.totals).toBeNull();
    let checked = 0;
    for (let step = 0; step < STEPS; step++) {
      const before = new Map(family.map((pid) => [pid, model.view(pid)]));
      const [child] = await parent.fork(1);
      model.fork(parent.pid, child!);
      for (let i = 0; i <= step; i++) {
        await parent.child(i).write(region, step * SLICE, SLICE);
        model.write(family[i + 1] ?? child!, step * SLICE, SLICE);
      }
      family.push(child!);
      const reply = await sample(family);
      for (const pid of family.slice(0, -1)) {
        const p = reply.processes.find((x) => x.pid === pid)!;
        expect(p.access).toBe('flags');
        const c = p.mappings.find((m) => m.start === region)!.changes!;
        const want = expectedFlags(before.get(pid)!, model.view(pid));
        expect(c, `step ${step}, pid ${pid}`).toMatchObject({
          ...want,
          cowBreaks: null,
          unsharedByOthers: null,
          moved: null,
          faultedIn: 0,
          freed: 0,
        });
        checked += want.becamePrivate + want.becameShared;
      }
      first = reply;
    }
    expect(checked).toBeGreaterThan(STEPS * SLICE);
  });
});
