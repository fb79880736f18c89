// The page engine's buffers: grown when a sample needs more, given back when they stay far
// larger than what recent samples needed.
import { describe, expect, it } from 'vitest';
import {
  BufferStore,
  SHRINK_FACTOR,
  SHRINK_MIN_BYTES,
  SHRINK_WINDOW,
} from '../../src/sampler/page-buffers.js';

/** kPfn holds 8-byte elements. */
const BIG = (SHRINK_MIN_BYTES / 8) * 4;

describe('BufferStore', () => {
  it('grows a buffer by half again over what a sample needs, zeroed, and says it changed', () => {
    const store = new BufferStore(false);
    store.bufferSet();
    expect(store.changed).toBe(false);
    store.ensure('kPfn', 1000);
    expect(store.bytes('kPfn')).toBe(1500 * 8);
    expect(store.arrays.kPfn.length).toBe(1500);
    expect(store.arrays.kPfn.every((x) => x === 0)).toBe(true);
    expect(store.changed).toBe(true);
  });

  it('keeps a buffer that fits, and what it holds', () => {
    const store = new BufferStore(false);
    store.ensure('kPfn', 1000);
    store.arrays.kPfn[7] = 42;
    store.bufferSet();
    store.ensure('kPfn', 1200);
    expect(store.changed).toBe(false);
    expect(store.arrays.kPfn[7]).toBe(42);
  });

  it('gives a large buffer back after a whole window of samples that needed far less', () => {
    const store = new BufferStore(true);
    store.ensure('kPfn', BIG);
    const big = store.bytes('kPfn');
    // The window that saw the big sample keeps it.
    for (let i = 1; i < SHRINK_WINDOW; i++) store.ensure('kPfn', 10);
    expect(store.bytes('kPfn')).toBe(big);
    // A whole window of small samples gives it back, down to half again over their largest.
    for (let i = 0; i < SHRINK_WINDOW - 1; i++) store.ensure('kPfn', i);
    expect(store.bytes('kPfn')).toBe(big);
    store.bufferSet();
    store.ensure('kPfn', 100);
    expect(store.bytes('kPfn')).toBe(150 * 8);
    expect(store.changed).toBe(true);
    expect(store.arrays.kPfn.buffer).toBeInstanceOf(SharedArrayBuffer);
  });

  it('keeps a buffer that recent samples still needed a fair part of', () => {
    const store = new BufferStore(false);
    store.ensure('kPfn', BIG);
    const big = store.bytes('kPfn');
    // A full sample now and then among small ones (the focused process's between full ones),
    // needing a SHRINK_FACTOR-th of the buffer.
    for (let i = 1; i < 4 * SHRINK_WINDOW; i++)
      store.ensure('kPfn', i % SHRINK_WINDOW === 3 ? big / 8 / SHRINK_FACTOR : 10);
    expect(store.bytes('kPfn')).toBe(big);
  });

  it('keeps small buffers whatever samples need', () => {
    const store = new BufferStore(false);
    store.ensure('kPfn', 1000);
    for (let i = 0; i < 4 * SHRINK_WINDOW; i++) store.ensure('kPfn', 0);
    expect(store.bytes('kPfn')).toBe(1500 * 8);
  });
});
