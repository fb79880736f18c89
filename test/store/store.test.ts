// The store's sampling loop, on a fake sampler: sleeps after each sample, obeys intents.
import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { SampleSource } from '../../src/store/source.js';
import { SampleStore } from '../../src/store/store.js';
import type { SampleRequest } from '../../src/sampler/sampler.js';
import type { SessionUpdate } from '../../src/store/contract.js';
import { counters, forkFamily, proc, snapshot } from '../helpers/synthetic.js';

interface Call {
  request: SampleRequest;
  startMs: number;
  endMs: number;
}

/** The clock a fake sample is timed on, and how it takes its time: blocking, as reading /proc. */
interface FakeClock {
  now(): number;
  block(ms: number): void;
}

/** Real time: busy-waiting. */
const REAL_CLOCK: FakeClock = {
  now: () => performance.now(),
  block(ms) {
    const startMs = performance.now();
    while (performance.now() - startMs < ms) {
      // blocking, like reading /proc
    }
  },
};

/** Fake timers: the clock moves on while the thread is blocked, and no timer fires meanwhile. */
const FAKE_CLOCK: FakeClock = {
  now: () => Date.now(),
  block: (ms) => vi.setSystemTime(Date.now() + ms),
};

/** A sampler of processes 1..n that takes `costMs` on `clock`. */
function fakeSource(n: number, costMs = 2, clock = REAL_CLOCK): SampleSource & { calls: Call[] } {
  const calls: Call[] = [];
  return {
    calls,
    listPids: () => Array.from({ length: n }, (_, i) => i + 1),
    sample(request) {
      const startMs = clock.now();
      clock.block(costMs);
      const pids = request.pids ?? Array.from({ length: n }, (_, i) => i + 1);
      const snap = snapshot(pids.map((pid) => proc(pid, counters({ uss: pid }))));
      calls.push({ request, startMs, endMs: clock.now() });
      return snap;
    },
  };
}

/** Fake timers for the loop's sleeps and the clock it reads (Date: see FAKE_CLOCK). */
function useFakeTimers(): void {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'Date'] });
}

let session: SampleStore | undefined;
afterEach(() => session?.stop());

describe('sampling session', () => {
  it('reads the first sample in parts, showing progress, then publishes all of it', async () => {
    const source = fakeSource(10);
    session = new SampleStore(source, { intervalMs: 60_000, chunk: 4, progressAfterMs: 0 });
    const updates: SessionUpdate[] = [];
    session.subscribe((u) => updates.push(u));
    void session.run();
    await vi.waitFor(() => expect(session!.current().snapshot).toBeDefined());
    expect(updates.filter((u) => u.progress).map((u) => u.progress)).toEqual([
      { done: 4, total: 10 },
      { done: 8, total: 10 },
    ]);
    expect(session.current().snapshot!.processes).toHaveLength(10);
    expect(source.calls.map((c) => c.request.pids)).toEqual([
      [1, 2, 3, 4],
      [5, 6, 7, 8],
      [9, 10],
    ]);
  });

  it('reads every full sample in parts, answering keys in between', async () => {
    const source = fakeSource(5, 1);
    session = new SampleStore(source, { intervalMs: 10, chunk: 2 });
    const published: number[] = [];
    session.subscribe((u) => u.snapshot && published.push(u.snapshot.processes.length));
    void session.run();
    await vi.waitFor(() => expect(published.length).toBeGreaterThanOrEqual(2));
    expect(published.slice(0, 2)).toEqual([5, 5]);
    expect(source.calls.slice(3, 6).map((c) => c.request.pids)).toEqual([[1, 2], [3, 4], [5]]);
  });

  it('sleeps a whole interval after each sample, so samples never overlap', async () => {
    useFakeTimers();
    try {
      const source = fakeSource(3, 15, FAKE_CLOCK);
      session = new SampleStore(source, { intervalMs: 30, now: FAKE_CLOCK.now });
      void session.run();
      await vi.advanceTimersByTimeAsync(5 * 30);
      session.stop();
      expect(source.calls.length).toBeGreaterThanOrEqual(5);
      for (let i = 1; i < source.calls.length; i++) {
        const gap = source.calls[i]!.startMs - source.calls[i - 1]!.endMs;
        expect(gap).toBeGreaterThanOrEqual(30);
      }
    } finally {
      session?.stop();
      vi.useRealTimers();
    }
  });

  it('samples the focused process at once, alone, and merges it into the last full sample', async () => {
    const source = fakeSource(3);
    session = new SampleStore(source, { intervalMs: 60_000 });
    void session.run();
    await vi.waitFor(() => expect(source.calls).toHaveLength(1));
    session.send({ type: 'focus-process', pid: 2 });
    await vi.waitFor(() => expect(source.calls).toHaveLength(2));
    expect(source.calls[1]!.request).toEqual({ pids: [2], focusPid: 2 });
    expect(session.current().snapshot!.processes.map((p) => p.pid)).toEqual([1, 2, 3]);
    session.send({ type: 'focus-process', pid: undefined });
    await vi.waitFor(() => expect(source.calls).toHaveLength(3));
    expect(source.calls[2]!.request).toEqual({ pids: [1, 2, 3] });
  });

  it('samples a page map on screen twice per interval', async () => {
    useFakeTimers();
    try {
      const source = fakeSource(3, 2, FAKE_CLOCK);
      session = new SampleStore(source, { intervalMs: 600, now: FAKE_CLOCK.now });
      void session.run();
      session.send({ type: 'focus-process', pid: 1 });
      session.send({ type: 'focus-mapping', start: 0x1000 });
      await vi.advanceTimersByTimeAsync(3 * 600);
      session.stop();
      expect(source.calls.length).toBeGreaterThanOrEqual(4);
      const gaps = source.calls.slice(2).map((c, i) => c.startMs - source.calls[i + 1]!.endMs);
      // Half the interval: 300 ms (never below 250 ms, the shortest a page map asks for).
      for (const gap of gaps) {
        expect(gap).toBeLessThan(590);
        expect(gap).toBe(300);
      }
    } finally {
      session?.stop();
      vi.useRealTimers();
    }
  });

  it('stops sampling while paused, and takes up the new interval at once', async () => {
    useFakeTimers();
    try {
      const source = fakeSource(2, 0, FAKE_CLOCK);
      session = new SampleStore(source, { intervalMs: 20, now: () => Date.now() });
      void session.run();
      await vi.advanceTimersByTimeAsync(20);
      expect(source.calls).toHaveLength(2);
      session.send({ type: 'pause', paused: true });
      await vi.advanceTimersByTimeAsync(10_000);
      expect(source.calls).toHaveLength(2);
      session.send({ type: 'interval', intervalMs: 60_000 });
      session.send({ type: 'pause', paused: false });
      await vi.advanceTimersByTimeAsync(10_000);
      expect(source.calls).toHaveLength(2);
      session.send({ type: 'interval', intervalMs: 10 });
      await vi.advanceTimersByTimeAsync(0);
      expect(source.calls).toHaveLength(3);
    } finally {
      session?.stop();
      vi.useRealTimers();
    }
  });

  it('ends run() on stop(), and rejects it when a sample fails', async () => {
    const source = fakeSource(1);
    session = new SampleStore(source, { intervalMs: 60_000 });
    const running = session.run();
    await vi.waitFor(() => expect(source.calls).toHaveLength(1));
    session.stop();
    await expect(running).resolves.toBeUndefined();
    const failing = new SampleStore(
      {
        listPids: () => [1],
        sample: () => {
          throw new Error('proc vanished');
        },
      },
      { intervalMs: 10 },
    );
    await expect(failing.run()).rejects.toThrow('proc vanished');
  });
});

/** The synthetic fork family (pids 10 and 11) as the sampler would give it, at a step the test sets. */
function familySource(privileged: boolean) {
  const requests: SampleRequest[] = [];
  const source = {
    privileged,
    step: 0 as 0 | 1,
    requests,
    listPids: () => [10, 11],
    sample(request: SampleRequest) {
      requests.push(request);
      const full = forkFamily(source.step, { timeMs: 1000 * requests.length, privileged });
      const processes = full.processes.filter((p) => request.pids?.includes(p.pid) ?? true);
      return { ...full, processes };
    },
  };
  return source;
}

/** Waits for the next update that passes `test`. */
function nextUpdate(s: SampleStore, test: (u: SessionUpdate) => boolean): Promise<SessionUpdate> {
  return new Promise((resolve) => {
    const stop = s.subscribe((u) => {
      if (!test(u)) return;
      stop();
      resolve(u);
    });
  });
}

describe('sampling session: page changes and derived data', () => {
  it('keeps every page in full samples with PFNs and publishes the changes between consecutive ones', async () => {
    const source = familySource(true);
    session = new SampleStore(source, { intervalMs: 60_000 });
    void session.run();
    await vi.waitFor(() => expect(session!.current().snapshot).toBeDefined());
    expect(source.requests[0]).toEqual({ pids: [10, 11], mappings: true, pages: true });
    expect(session.current().changes).toBeUndefined(); // nothing to compare with yet
    source.step = 1;
    session.send({ type: 'focus-process', pid: 11 });
    const focused = await nextUpdate(session, (u) => u.focusChanges !== undefined);
    expect(source.requests[1]).toEqual({ pids: [11], focusPid: 11 });
    expect(focused.focusChanges!.processes.get('11:1011')!.totals.cowBreaks).toBe(2);
    expect(focused.focusChanges!.processes.has('10:1010')).toBe(false);
    expect(focused.changes).toBeUndefined();
    session.send({ type: 'focus-process', pid: undefined });
    const full = await nextUpdate(session, (u) => u.changes !== undefined);
    expect(full.changes!.intervalMs).toBe(2000); // the first full sample at 1 s, this one at 3 s
    expect(full.changes!.processes.get('11:1011')!.totals.cowBreaks).toBe(2);
    expect(full.changes!.processes.get('10:1010')!.totals.unsharedByOthers).toBe(2);
    expect(full.focusChanges).toBeUndefined();
    // Focused again: its own changes since the full sample; the full-sample changes no longer
    // fit its new sample, so they go out without it.
    session.send({ type: 'focus-process', pid: 11 });
    const again = await nextUpdate(session, (u) => u.snapshot !== full.snapshot);
    expect(again.focusChanges!.processes.get('11:1011')!.totals.cowBreaks).toBe(0);
    expect([...again.changes!.processes.keys()]).toEqual(['10:1010']);
  });

  it('keeps the page events of each comparison of full samples in one ring', async () => {
    const source = familySource(true);
    session = new SampleStore(source, { intervalMs: 60_000 });
    void session.run();
    await vi.waitFor(() => expect(session!.current().snapshot).toBeDefined());
    expect(session.current().events).toEqual({ batches: [], latest: undefined });
    source.step = 1;
    session.send({ type: 'focus-process', pid: 11 });
    await nextUpdate(session, (u) => u.focusChanges !== undefined);
    session.send({ type: 'focus-process', pid: undefined });
    const full = await nextUpdate(session, (u) => u.changes !== undefined);
    const events = full.events!;
    expect(events.batches).toHaveLength(1);
    expect(events.latest).toBe(events.batches[0]);
    expect(events.latest!.intervalMs).toBe(full.changes!.intervalMs);
    expect(events.latest!.events.map((e) => [e.pid, e.kind])).toEqual([
      [10, 'unsharedByOthers'],
      [11, 'cowBreaks'],
    ]);
    // Sampled alone since: its events leave what is on show, as its changes do; the ring keeps them.
    session.send({ type: 'focus-process', pid: 11 });
    const again = await nextUpdate(session, (u) => u.snapshot !== full.snapshot);
    expect(again.events!.latest!.events.map((e) => e.pid)).toEqual([10]);
    expect(again.events!.batches[0]!.events.map((e) => e.pid)).toEqual([10, 11]);
  });

  it('stops tracking every page once the host holds more resident pages than the limit', async () => {
    const source = familySource(true);
    session = new SampleStore(source, { intervalMs: 60_000, trackPagesLimit: 1 });
    void session.run();
    await vi.waitFor(() => expect(session!.current().snapshot).toBeDefined());
    // Before the first sample the size is unknown: pages are kept; that sample shows it is too big.
    expect(source.requests[0]).toEqual({ pids: [10, 11], mappings: true, pages: true });
    expect(session.current().snapshot!.notices.join(' ')).toMatch(
      /copy-on-write and sharing changes are tracked for the focused process only/,
    );
    // What was kept of that sample before the limit was crossed is let go.
    expect(session.current().snapshot!.processes.map((p) => p.pages)).toEqual([
      undefined,
      undefined,
    ]);
    session.send({ type: 'focus-process', pid: 11 });
    await vi.waitFor(() => expect(source.requests).toHaveLength(2));
    session.send({ type: 'focus-process', pid: undefined });
    await vi.waitFor(() => expect(source.requests).toHaveLength(3));
    expect(source.requests[2]).toEqual({ pids: [10, 11] });
  });

  it('does not keep the pages of a host it can tell is too big before its first sample', async () => {
    const asked: number[][] = [];
    const source = {
      ...familySource(true),
      residentPagesOf: (pids: readonly number[]) => {
        asked.push([...pids]);
        return 3;
      },
    };
    session = new SampleStore(source, { intervalMs: 60_000, trackPagesLimit: 2 });
    void session.run();
    await vi.waitFor(() => expect(session!.current().snapshot).toBeDefined());
    expect(asked).toEqual([[10, 11]]);
    expect(source.requests[0]).toEqual({ pids: [10, 11] });
    expect(session.current().snapshot!.notices.join(' ')).toMatch(
      /copy-on-write and sharing changes are tracked for the focused process only/,
    );
  });

  it('keeps every page from the first sample on a host within the limit', async () => {
    const source = { ...familySource(true), residentPagesOf: () => 10_000 };
    session = new SampleStore(source, { intervalMs: 60_000, trackPagesLimit: 10_000 });
    void session.run();
    await vi.waitFor(() => expect(session!.current().snapshot).toBeDefined());
    expect(source.requests[0]).toEqual({ pids: [10, 11], mappings: true, pages: true });
    expect(session.current().snapshot!.notices).toEqual([]);
  });

  it('builds who shares what only while a screen asks, for the process it names', async () => {
    const source = familySource(true);
    session = new SampleStore(source, { intervalMs: 60_000 });
    void session.run();
    await vi.waitFor(() => expect(session!.current().snapshot).toBeDefined());
    expect(session.current().sharers).toBeUndefined();
    session.send({ type: 'sharers', pid: 11 });
    const shown = await nextUpdate(session, (u) => u.sharing !== undefined);
    expect(shown.sharers).toBeDefined();
    expect(shown.sharing!.pid).toBe(11);
    expect(shown.sharing!.sharesWith.map((t) => [t.pid, t.sharedBytes, t.mappings])).toEqual([
      [10, 6 * 4096, 6],
    ]);
    expect(source.requests).toHaveLength(1); // derived from the sample already taken
    session.send({ type: 'sharers', pid: undefined });
    const dropped = await nextUpdate(session, (u) => u.sharers === undefined);
    expect(dropped.sharing).toBeUndefined();
  });

  it('computes the libraries while asked; without PFNs it first takes a sample with mappings', async () => {
    const source = familySource(false);
    session = new SampleStore(source, { intervalMs: 60_000 });
    void session.run();
    await vi.waitFor(() => expect(session!.current().snapshot).toBeDefined());
    expect(source.requests[0]).toEqual({ pids: [10, 11] });
    session.send({ type: 'libraries', wanted: true });
    const libs = await nextUpdate(session, (u) => u.libraries !== undefined);
    expect(source.requests[1]).toEqual({ pids: [10, 11], mappings: true });
    expect(libs.libraries!.libraries.map((l) => [l.path, l.users.length])).toEqual([
      ['/usr/lib/libc.so.6', 2],
    ]);
    expect(libs.changes).toBeUndefined(); // no pages kept without PFNs: no page changes
    session.send({ type: 'libraries', wanted: false });
    await nextUpdate(session, (u) => u.libraries === undefined);
  });
});
