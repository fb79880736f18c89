/**
 * The thread of a SamplerHost (sampler-host.ts): it opens a Sampler and answers its calls. A
 * read here may block for as long as the kernel keeps it waiting (a hung mount, a process's
 * locked memory): only this thread waits, the main thread still reads keys and signals.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { MemtopError } from '../errors.js';
import type { Snapshot } from '../model/types.js';
import { prestartWorkers } from './page-workers.js';
import { Sampler } from './sampler.js';
import type { FromHost, HostCall, HostData, HostError, ToHost } from './sampler-host-protocol.js';

const port = parentPort!;
if ((workerData as HostData | undefined)?.prestartPageWorkers) prestartWorkers();
let sampler: Sampler | undefined;

port.on('message', (message: ToHost) => {
  switch (message.kind) {
    case 'open':
      try {
        sampler = Sampler.open(message.options);
        const { privileged, pageSize, notices } = sampler;
        send({ kind: 'opened', privileged, pageSize, notices });
      } catch (error) {
        send({ kind: 'failed', error: describe(error) });
      }
      return;
    case 'call':
      try {
        const value = answer(sampler!, message.call);
        const transfer = typeof value === 'object' && !Array.isArray(value) ? owned(value) : [];
        port.postMessage({ kind: 'result', id: message.id, value } satisfies FromHost, transfer);
      } catch (error) {
        send({ kind: 'error', id: message.id, error: describe(error) });
      }
      return;
    case 'close':
      sampler?.close();
      sampler = undefined;
      port.close();
      return;
  }
});

function answer(s: Sampler, call: HostCall): Snapshot | number[] | number {
  switch (call.method) {
    case 'sample':
      return s.sample(call.request);
    case 'listPids':
      return s.listPids();
    case 'residentPagesOf':
      return s.residentPagesOf(call.pids);
  }
}

function send(message: FromHost): void {
  port.postMessage(message);
}

function describe(error: unknown): HostError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  const code = error instanceof MemtopError ? error.code : undefined;
  return { name: error.name, message: error.message, code, stack: error.stack };
}

/**
 * The snapshot's typed arrays that own their whole buffer: they move to the main thread
 * instead of being copied (the sampler keeps nothing of a sample it returned). Views into a
 * larger or shared buffer are copied as structured clone does.
 */
function owned(snapshot: Snapshot): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  const add = (view: ArrayBufferView | undefined) => {
    const buffer = view?.buffer;
    if (buffer instanceof ArrayBuffer && view!.byteOffset === 0)
      if (view!.byteLength === buffer.byteLength) buffers.add(buffer);
  };
  for (const p of snapshot.processes) {
    const pages = p.pages;
    if (pages) {
      add(pages.pageIndex);
      add(pages.pagemapBits);
      add(pages.kpageFlags);
      add(pages.mapCount);
      add(pages.pfn);
    }
  }
  return [...buffers];
}
