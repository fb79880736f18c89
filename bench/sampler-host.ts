/**
 * npm run bench:host: what it costs the interactive view to sample in a thread of its own
 * (SamplerHost) instead of the main thread, on the fork workload's processes with every page
 * kept (as the view's full samples keep them). Each round takes one sample with a Sampler in
 * this thread and one through a SamplerHost, and times, on the Sampler's snapshot, the two ways
 * a snapshot can cross threads: a structured-clone copy, and a clone with its page tables
 * transferred (what the host does). Medians over the rounds.
 *
 * Options: --rounds N (default 7), --mib N: the fork workload's region (default 2048, as in
 * bench/workloads.ts; its 8 children each write (i+1)/16 of it).
 */
import { performance } from 'node:perf_hooks';
import type { Snapshot } from '../src/model/types.js';
import { fmtMs, median } from './measure.js';
import { PAGE_SIZE, Workload } from '../test/helpers/workload.js';
import { FORK_CHILDREN } from './workloads.js';

const { Sampler } = (await import(
  new URL('../dist/sampler/sampler.js', import.meta.url).href
)) as typeof import('../src/sampler/sampler.js');
const { SamplerHost } = (await import(
  new URL('../dist/sampler/sampler-host.js', import.meta.url).href
)) as typeof import('../src/sampler/sampler-host.js');

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
}
const rounds = option('rounds', 7);
const regionPages = (option('mib', 2048) * 2 ** 20) / PAGE_SIZE;

/** startFork's family (bench/workloads.ts), of any size. */
async function startFork(): Promise<{ pids: number[]; stop: () => Promise<void> }> {
  const w = await Workload.start();
  const addr = await w.anon(regionPages);
  await w.fork(FORK_CHILDREN);
  for (let i = 0; i < FORK_CHILDREN; i++)
    await w.child(i).write(addr, 0, Math.round((regionPages * (i + 1)) / 16));
  await w.send('pid');
  for (let i = 0; i < FORK_CHILDREN; i++) await w.child(i).send('pid');
  return { pids: [w.pid, ...w.descendantPids()], stop: () => w.stop() };
}

/** The page tables' buffers: what the host moves instead of copying. */
function pageBuffers(snapshot: Snapshot): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  for (const p of snapshot.processes) {
    const t = p.pages;
    if (!t) continue;
    for (const a of [t.pageIndex, t.pagemapBits, t.kpageFlags, t.mapCount, t.pfn])
      out.add(a.buffer as ArrayBuffer);
  }
  return [...out];
}

function time(run: () => void): number {
  const t0 = performance.now();
  run();
  return performance.now() - t0;
}

const workload = await startFork();
const sampler = Sampler.open();
const host = await SamplerHost.open({}, { prestartPageWorkers: false });
try {
  const pids = workload.pids;
  const request = { pids, mappings: true, pages: true };
  const rows = { direct: [] as number[], host: [] as number[], hostSample: [] as number[] };
  const clone = { copy: [] as number[], transfer: [] as number[] };
  let pageRows = 0;
  let pageBytes = 0;
  for (let round = -1; round < rounds; round++) {
    let t0 = performance.now();
    const snapshot = sampler.sample(request);
    const direct = performance.now() - t0;
    t0 = performance.now();
    const hosted = await host.sample(request);
    const viaHost = performance.now() - t0;
    const copyMs = time(() => structuredClone(snapshot));
    const buffers = pageBuffers(snapshot);
    pageBytes = buffers.reduce((n, b) => n + b.byteLength, 0);
    pageRows = snapshot.processes.reduce((n, p) => n + (p.pages?.count ?? 0), 0);
    const transferMs = time(() => structuredClone(snapshot, { transfer: buffers }));
    if (round < 0) continue; // warm-up
    rows.direct.push(direct);
    rows.host.push(viaHost);
    rows.hostSample.push(hosted.costMs);
    clone.copy.push(copyMs);
    clone.transfer.push(transferMs);
  }
  const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
  console.log(
    `fork workload (${mib(regionPages * PAGE_SIZE)} region): ${pids.length} processes, ` +
      `${pageRows} page rows (${mib(pageBytes)})`,
  );
  console.log(`rounds: ${rounds} (medians, ms)`);
  console.log(`sample in this thread:              ${fmtMs(median(rows.direct))}`);
  console.log(`sample through the host, round trip: ${fmtMs(median(rows.host))}`);
  console.log(`  of which the sample in its thread: ${fmtMs(median(rows.hostSample))}`);
  console.log(
    `  handing over (round trip − sample): ${fmtMs(median(rows.host) - median(rows.hostSample))}`,
  );
  console.log(`structured clone, copied:           ${fmtMs(median(clone.copy))}`);
  console.log(`structured clone, pages transferred: ${fmtMs(median(clone.transfer))}`);
} finally {
  sampler.close();
  await host.end(5_000);
  await workload.stop();
}
