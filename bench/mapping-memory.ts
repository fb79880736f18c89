/**
 * Bytes per mapping, measured in this process: the heap a sample of one process keeps for its
 * mappings (Mapping objects, their counters and strings), and what the mapping view's state
 * adds (typed columns and the row order). Garbage is collected before each reading.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Snapshot } from '../src/model/types.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function heapBytes(): number {
  for (let i = 0; i < 3; i++) gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

export interface MappingMemory {
  mappings: number;
  /** Heap a focused sample keeps, per mapping (its page table included, one page a mapping here). */
  snapshotBytes: number;
  /** What the view state adds per mapping: columns, Δ USS and the row order. */
  viewBytes: number;
  /** The same with a second sort key's column and the file groups computed. */
  viewSortedBytes: number;
}

/** Samples `pid` once with its mappings and builds the mapping view's rows over it. */
export async function measureMappingMemory(pid: number): Promise<MappingMemory> {
  const { Sampler } = await import('../src/sampler/sampler.js');
  const { MappingSource, NO_EXTRAS, orderMappingRows } =
    await import('../src/ui/state/mapping-rows.js');
  const sampler = Sampler.open();
  try {
    sampler.sample({ pids: [pid], focusPid: pid }); // warm up: buffers and code
    const kept: unknown[] = []; // what each reading counts, alive until the last
    const before = heapBytes();
    const snapshot: Snapshot = sampler.sample({ pids: [pid], focusPid: pid });
    kept.push(snapshot);
    const withSnapshot = heapBytes();
    const process = snapshot.processes[0]!;
    const mappings = process.mappings?.length ?? 0;
    const source = new MappingSource(process, undefined, NO_EXTRAS);
    const rows = orderMappingRows(source, {
      sortKey: 'address',
      reverse: false,
      grouped: false,
      expanded: [],
    });
    kept.push(source, rows);
    const withView = heapBytes();
    kept.push(orderMappingRows(source, { ...rows.order, sortKey: 'rss', grouped: true }));
    const withSorted = heapBytes();
    const result = {
      mappings,
      snapshotBytes: (withSnapshot - before) / mappings,
      viewBytes: (withView - withSnapshot) / mappings,
      viewSortedBytes: (withSorted - withSnapshot) / mappings,
    };
    kept.length = 0;
    return result;
  } finally {
    sampler.close();
  }
}
