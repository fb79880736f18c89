/**
 * The page engine's buffers, kept from sample to sample and grown by half again when a sample
 * needs more, so that a steady sampler allocates nothing per sample and its worker threads,
 * which hold the same buffers, never keep an old generation alive. Shared (SharedArrayBuffer)
 * when workers read them too. A large zeroed buffer takes memory only where it is written.
 *
 * A buffer that stays far larger than any recent sample needed is given back: one sample of
 * every page of every process (the interactive view's first, on a host too big to track them
 * all) would otherwise hold its ~100 MiB of kept rows for as long as memtop runs. "Recent" is
 * the last SHRINK_WINDOW samples, so that the small samples of one process between full ones
 * do not shrink what the next full sample needs again.
 */
import type { SampleArrays } from './page-engine.js';
import type { BufferSet } from './page-workers.js';

/** Unit table fields (Float64Array): [kind, from, to]. */
export const UNIT_FIELDS = 3;

const ELEMENTS = {
  items: Float64Array,
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

/** Samples over which a buffer's largest need is taken before it may shrink. */
export const SHRINK_WINDOW = 8;
/** A buffer shrinks when it is this many times its largest recent need... */
export const SHRINK_FACTOR = 4;
/** ...and at least this large (smaller ones are not worth a new allocation). */
export const SHRINK_MIN_BYTES = 4 << 20;

export type EngineArrays = SampleArrays & {
  counts: Uint32Array;
  flags: Uint32Array;
  units: Float64Array;
};

/** Typed views of a buffer set. */
export function arraysOf(buffers: Record<BufferName, ArrayBufferLike>): EngineArrays {
  return {
    items: new Float64Array(buffers.items),
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
  /** Per buffer: its largest need in the current window, and the samples seen in it. */
  private readonly peak = new Map<BufferName, number>();
  private readonly seen = new Map<BufferName, number>();

  constructor(readonly shared: boolean) {
    const empty = {} as Record<BufferName, ArrayBufferLike>;
    for (const name of Object.keys(ELEMENTS) as BufferName[]) empty[name] = this.make(8);
    this.buffers = empty;
    this.arrays = arraysOf(this.buffers);
  }

  /**
   * Room for at least `elements` elements in a buffer, called once per sample and buffer; a new
   * buffer starts zeroed, and what the buffer held is kept only when it is not replaced.
   */
  ensure(name: BufferName, elements: number): void {
    const size = ELEMENTS[name].BYTES_PER_ELEMENT;
    const peak = Math.max(this.peak.get(name) ?? 0, elements);
    const seen = (this.seen.get(name) ?? 0) + 1;
    const capacity = this.buffers[name].byteLength;
    if (capacity < elements * size) {
      this.replace(name, Math.ceil((Math.max(elements, 1) * 3) / 2) * size);
    } else if (
      seen >= SHRINK_WINDOW &&
      capacity >= SHRINK_MIN_BYTES &&
      capacity > SHRINK_FACTOR * peak * size
    ) {
      this.replace(name, Math.ceil((Math.max(peak, 1) * 3) / 2) * size);
    }
    // A new window starts once one is complete.
    this.peak.set(name, seen >= SHRINK_WINDOW ? 0 : peak);
    this.seen.set(name, seen >= SHRINK_WINDOW ? 0 : seen);
  }

  /** Current size of a buffer, in bytes. */
  bytes(name: BufferName): number {
    return this.buffers[name].byteLength;
  }

  /** The buffers as workers take them (shared stores only). */
  bufferSet(): BufferSet {
    this.changed = false;
    return this.buffers as unknown as BufferSet;
  }

  private replace(name: BufferName, bytes: number): void {
    this.buffers[name] = this.make(bytes);
    this.arrays = arraysOf(this.buffers);
    this.changed = true;
  }

  private make(bytes: number): ArrayBufferLike {
    return this.shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes);
  }
}
