/**
 * The page engine's buffers, kept from sample to sample and only ever grown (by half again),
 * so that a steady sampler allocates nothing per sample and its worker threads, which hold the
 * same buffers, never keep an old generation alive. They stay bounded all the same: a sample
 * is run in pieces of bounded size (page-plan.ts), so they grow at most to what one piece
 * takes, whatever the host. Shared (SharedArrayBuffer) when workers read them too. A large
 * zeroed buffer takes memory only where it is written.
 */
import type { SampleArrays } from './page-engine.js';
import type { BufferSet } from './page-workers.js';

/** Unit table fields (Float64Array): [kind, from, to]. */
export const UNIT_FIELDS = 3;

const ELEMENTS = {
  items: Float64Array,
  claims: Int32Array,
  itemStatus: Int32Array,
  segs: Float64Array,
  segCounters: Float64Array,
  cPfn: Uint32Array,
  cBits: Uint8Array,
  kIndex: Uint32Array,
  kBits: Uint16Array,
  kPfn: Float64Array,
  counts: Uint32Array,
  flags: Uint32Array,
  units: Float64Array,
} as const;

export type BufferName = keyof typeof ELEMENTS;

export type EngineArrays = SampleArrays & {
  counts: Uint32Array;
  flags: Uint32Array;
  units: Float64Array;
};

/** Typed views of a buffer set. */
export function arraysOf(buffers: Record<BufferName, ArrayBufferLike>): EngineArrays {
  return {
    items: new Float64Array(buffers.items),
    claims: new Int32Array(buffers.claims),
    itemStatus: new Int32Array(buffers.itemStatus),
    segs: new Float64Array(buffers.segs),
    segCounters: new Float64Array(buffers.segCounters),
    cPfn: new Uint32Array(buffers.cPfn),
    cBits: new Uint8Array(buffers.cBits),
    kIndex: new Uint32Array(buffers.kIndex),
    kBits: new Uint16Array(buffers.kBits),
    kPfn: new Float64Array(buffers.kPfn),
    counts: new Uint32Array(buffers.counts),
    flags: new Uint32Array(buffers.flags),
    units: new Float64Array(buffers.units),
  };
}

export class BufferStore {
  private readonly buffers: Record<BufferName, ArrayBufferLike>;
  arrays: EngineArrays;
  /** A buffer was replaced since the workers last got the set. */
  changed = true;

  constructor(readonly shared: boolean) {
    const empty = {} as Record<BufferName, ArrayBufferLike>;
    for (const name of Object.keys(ELEMENTS) as BufferName[]) empty[name] = this.make(8);
    this.buffers = empty;
    this.arrays = arraysOf(this.buffers);
  }

  /**
   * Room for at least `elements` elements in a buffer, grown by half again but not past
   * `limit` elements (a bound the caller keeps to); a new buffer starts zeroed, or with the old
   * one's contents when `keep` is set.
   */
  ensure(name: BufferName, elements: number, keep = false, limit = Infinity): void {
    const size = ELEMENTS[name].BYTES_PER_ELEMENT;
    if (this.buffers[name].byteLength >= elements * size) return;
    const grown = Math.min(Math.ceil((Math.max(elements, 1) * 3) / 2), Math.max(limit, elements));
    const bytes = grown * size;
    const old = this.buffers[name];
    this.buffers[name] = this.make(bytes);
    if (keep) new Uint8Array(this.buffers[name]).set(new Uint8Array(old));
    this.arrays = arraysOf(this.buffers);
    this.changed = true;
  }

  /** What the buffers hold, in bytes (zeroed pages never written take no memory). */
  get bytes(): number {
    let bytes = 0;
    for (const buffer of Object.values(this.buffers)) bytes += buffer.byteLength;
    return bytes;
  }

  /** The buffers as workers take them (shared stores only). */
  bufferSet(): BufferSet {
    this.changed = false;
    return this.buffers as unknown as BufferSet;
  }

  private make(bytes: number): ArrayBufferLike {
    return this.shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes);
  }
}
