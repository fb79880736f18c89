// Runs a Sampler in its own process (so tests can run it as another user) and answers one
// JSON line per "sample PID,PID,..." line: each process's page changes since the last sample.
import process from 'node:process';
import { createInterface } from 'node:readline';
import { diffSnapshots, changesOf } from '../../dist/model/changes.js';
import { Sampler } from '../../dist/sampler/sampler.js';

const sampler = Sampler.open();
let previous;
for await (const line of createInterface({ input: process.stdin })) {
  const pids = line.split(' ')[1].split(',').map(Number);
  const snapshot = sampler.sample({ pids, mappings: true, pages: true });
  const changes = previous && diffSnapshots(previous, snapshot);
  previous = snapshot;
  const processes = snapshot.processes.map((p) => {
    const c = changesOf(changes, p);
    return {
      pid: p.pid,
      ppid: p.ppid,
      access: p.access,
      rssBytes: p.totals.rssBytes,
      totals: c?.totals ?? null,
      mappings: (p.mappings ?? []).map((m, i) => ({
        start: m.start,
        changes: c?.mappings[i] ?? null,
      })),
    };
  });
  process.stdout.write(JSON.stringify({ privileged: snapshot.privileged, processes }) + '\n');
}
sampler.close();
