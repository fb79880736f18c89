// The store's one ring of page events: each comparison's events largest first, bounded, the
// oldest comparisons dropped, the latest on show without the processes sampled alone since.
import { describe, expect, it } from 'vitest';
import { diffSnapshots } from '../../src/model/changes.js';
import { EventRing } from '../../src/store/event-ring.js';
import { forkFamily } from '../helpers/synthetic.js';

const before = forkFamily(0);
const after = forkFamily(1);
/** The child (11) broke copy-on-write on 2 pages; the parent (10) stopped sharing them. */
const changes = diffSnapshots(before, after);

describe('the ring of page events', () => {
  it('keeps each comparison’s events, largest first, with its time and interval', () => {
    const ring = new EventRing();
    expect(ring.published()).toEqual({ batches: [], latest: undefined });
    ring.add(changes, after.timeMs, after.processes);
    const log = ring.published();
    expect(log.batches).toHaveLength(1);
    expect(log.latest).toBe(log.batches[0]);
    expect(log.latest!.timeMs).toBe(after.timeMs);
    expect(log.latest!.intervalMs).toBe(1000);
    expect(log.latest!.events.map((e) => [e.pid, e.kind, e.pages])).toEqual([
      [10, 'unsharedByOthers', 2],
      [11, 'cowBreaks', 2],
    ]);
  });

  it('drops the oldest comparisons past its size, and keeps the largest of one too big', () => {
    const ring = new EventRing(4);
    for (let i = 0; i < 3; i++) ring.add(changes, after.timeMs + i, after.processes);
    // 2 events a comparison, 4 at most: the third pushes the first out.
    expect(ring.published().batches.map((b) => b.timeMs)).toEqual([
      after.timeMs + 1,
      after.timeMs + 2,
    ]);
    const tiny = new EventRing(1);
    tiny.add(changes, after.timeMs, after.processes);
    expect(tiny.published().latest!.events.map((e) => e.pid)).toEqual([10]);
  });

  it('publishes a new object on each change, and the same one otherwise', () => {
    const ring = new EventRing();
    ring.add(changes, after.timeMs, after.processes);
    const first = ring.published();
    expect(ring.published()).toBe(first);
    ring.withoutPids(new Set([11]));
    const shown = ring.published();
    expect(shown).not.toBe(first);
    // On show without the process sampled alone since; the ring keeps its events.
    expect(shown.latest!.events.map((e) => e.pid)).toEqual([10]);
    expect(shown.batches[0]!.events.map((e) => e.pid)).toEqual([10, 11]);
    ring.clearLatest();
    expect(ring.published().latest).toBeUndefined();
    expect(ring.published().batches).toHaveLength(1);
  });
});
