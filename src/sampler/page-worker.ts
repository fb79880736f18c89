/**
 * A page-engine worker thread (see page-workers.ts): it runs whatever units of a phase it can
 * claim, on the buffers the main thread shares with it.
 */
import { closeSync, openSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import {
  accountSegment,
  decodeItem,
  newScratch,
  readMarked,
  type EngineContext,
  type SampleArrays,
} from './page-engine.js';
import { arraysOf, UNIT_FIELDS } from './page-buffers.js';
import {
  PHASE_ACCOUNT,
  PHASE_KPAGE,
  PHASE_PAGEMAP,
  READY,
  claimUnits,
  type WorkerMessage,
} from './page-workers.js';
import { warmUpEngine } from './page-warmup.js';
import { loadReadRuns, loadScan } from './pagemap-scan.js';
import { PfnIndex } from './pfn-index.js';

/** Set (to 1) by the main thread once it has work for this worker: warm-up stops. */
const workWaiting = new Int32Array((workerData as { workWaiting: SharedArrayBuffer }).workWaiting);
/** Given by the pool that takes this worker, in its first message. */
let thread = 0;
let context: EngineContext | undefined;
let arrays:
  (SampleArrays & { counts: Uint32Array; flags: Uint32Array; units: Float64Array }) | undefined;

parentPort!.on('message', (message: WorkerMessage) => {
  if (message.kind === 'setup') {
    const setup = message.setup;
    thread = setup.thread;
    context = {
      countIndex: new PfnIndex(setup.countIndex),
      flagsIndex: new PfnIndex(setup.flagsIndex),
      maxPfn: setup.maxPfn,
      shared: true,
      ...newScratch(),
      countFd: setup.countFd,
      flagsFd: setup.flagsFd,
      pageSize: setup.pageSize,
      // Without the module here (it loaded in the main thread, so hardly ever) the worker reads
      // its items whole: the same pages either way.
      scan: setup.pagemapScan ? loadScan().scan : undefined,
      readRuns: setup.nativeReads ? loadReadRuns() : undefined,
    };
    return;
  }
  if (message.kind === 'buffers') {
    arrays = arraysOf(message.buffers);
    return;
  }
  const a = arrays;
  const ctx = context;
  if (!a || !ctx) return;
  const ctl = new Int32Array(message.ctl);
  const units = a.units;
  switch (message.phase) {
    case PHASE_PAGEMAP:
      claimUnits(ctl, message.units, (item) => decodeItem(a, item, ctx), thread);
      break;
    case PHASE_KPAGE:
      claimUnits(
        ctl,
        message.units,
        (u) => {
          const at = u * UNIT_FIELDS;
          const flags = units[at] === 1;
          readMarked(
            flags ? ctx.flagsIndex : ctx.countIndex,
            flags ? ctx.flagsFd : ctx.countFd,
            units[at + 1]!,
            units[at + 2]!,
            flags ? a.flags : a.counts,
            ctx,
          );
        },
        thread,
      );
      break;
    case PHASE_ACCOUNT:
      claimUnits(
        ctl,
        message.units,
        (u) => {
          const at = u * UNIT_FIELDS;
          // Small integers (the table is a Float64Array): the engine's feedback stays Smi.
          for (let s = units[at + 1]! | 0, end = units[at + 2]! | 0; s < end; s++) {
            accountSegment(a, s, a.counts, a.flags, ctx);
          }
        },
        thread,
      );
      break;
  }
});

// Compile the hot paths before the first real unit (this may run before the worker has its
// setup: any page size compiles the same code); /dev/zero stands in for kpagecount.
try {
  const zero = openSync('/dev/zero', 'r');
  warmUpEngine(true, zero, 4096, () => Atomics.load(workWaiting, 0) !== 0, loadReadRuns());
  closeSync(zero);
} catch {
  // no /dev/zero: the worker simply starts cold
}
parentPort!.postMessage(READY);
