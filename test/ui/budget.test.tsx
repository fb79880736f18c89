// The interactive view within a CPU budget, driven through ink-testing-library: the AGE of
// rows not read in the last sample, the sampler's cost against the budget in the header, and
// the rows on screen sent up to the session.
import { render } from 'ink-testing-library';
import { createElement } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { App } from '../../src/ui/App.js';
import type { SessionFeed, SessionIntent, SessionUpdate } from '../../src/store/contract.js';
import { formatSamplerCost } from '../../src/columns/header.js';
import { formatTable } from '../../src/output/table.js';
import { counters, proc, snapshot } from '../helpers/synthetic.js';

/* eslint-disable no-control-regex -- these tests look for escape sequences */
const strip = (text: string) => text.replace(/\x1b\[[0-9;]*m/g, '');

const T = Date.UTC(2026, 0, 2, 3, 4, 5);

/** Three processes: 1 read now, 2 carried over from 12 s ago, 3 never read yet. */
function update(budgetPercent: number | undefined): SessionUpdate {
  const never = proc(3, { ...counters({ rss: 64 }), ussBytes: NaN, pssFixed: NaN });
  return {
    snapshot: snapshot(
      [
        proc(1, counters({ uss: 3000 })),
        proc(2, counters({ uss: 2000 }), { scannedAtMs: T - 12_000 }),
        { ...never, scannedAtMs: NaN },
      ],
      { timeMs: T },
    ),
    cost: {
      cpuMs: 61,
      wallMs: 48,
      processes: 3,
      scanned: 1,
      averagePercent: 3.2,
      budgetPercent,
    },
  };
}

const feedOf = (u: SessionUpdate): SessionFeed => ({ current: () => u, subscribe: () => () => {} });

let unmount: (() => void) | undefined;
afterEach(() => unmount?.());

function show(u: SessionUpdate) {
  const intents: SessionIntent[] = [];
  const app = render(
    createElement(App, {
      feed: feedOf(u),
      onIntent: (i: SessionIntent) => {
        intents.push(i);
      },
      onQuit: () => {},
      sortKey: 'uss',
      intervalMs: 2000,
      color: false,
    }),
  );
  unmount = app.unmount;
  return { app, intents, lines: () => strip(app.lastFrame() ?? '').split('\n') };
}

describe('the process list within a budget', () => {
  it('shows the age of rows not read in the last sample, "-" for never read, blank when fresh', async () => {
    const { lines } = show(update(10));
    await vi.waitFor(() => expect(lines().join('\n')).toContain('AGE'));
    const row = (pid: number) => lines().find((l) => new RegExp(`^\\s*${pid} `).test(l))!;
    const ageAt = lines()
      .find((l) => l.includes('AGE'))!
      .indexOf('AGE');
    const age = (pid: number) =>
      row(pid)
        .slice(ageAt, ageAt + 3)
        .trim();
    expect(age(1)).toBe('');
    expect(age(2)).toBe('12s');
    expect(age(3)).toBe('-');
  });

  it('shows the sampler’s own cost against the budget in the header', async () => {
    const { lines } = show(update(10));
    await vi.waitFor(() =>
      expect(lines()[1]).toBe(
        'sampler 48 ms (CPU 61 ms), avg 3.2% of a core, budget 10%; pages of 1 of 3 processes read',
      ),
    );
  });

  it('has no AGE column without a budget', async () => {
    const { lines } = show(update(undefined));
    await vi.waitFor(() => expect(lines().join('\n')).toContain('no budget'));
    expect(lines().join('\n')).not.toContain('AGE');
  });

  it('tells the session which rows are on screen', async () => {
    const { intents } = show(update(10));
    await vi.waitFor(() => expect(intents).toContainEqual({ type: 'rows', pids: [1, 2, 3] }));
  });

  it('says when the average is over budget', () => {
    const cost = update(2).cost!;
    expect(formatSamplerCost(cost)).toEqual({
      text: 'sampler 48 ms (CPU 61 ms), avg 3.2% of a core, budget 2.0%; pages of 1 of 3 processes read  OVER BUDGET',
      overBudget: true,
    });
  });

  it('batch text frames have an AGE column only when some row is not fresh', () => {
    const { snapshot: snap } = update(10);
    const lines = formatTable(snap!, snap!.processes).split('\n');
    const title = lines.find((l) => l.includes('COMMAND'))!;
    expect(title).toMatch(/ SWAP {2}AGE COMMAND$/);
    expect(lines.find((l) => /^ +2 /.test(l))).toMatch(/ 12s \/usr\/bin\/proc2/);
    const withCost = formatTable(snap!, snap!.processes, { cost: update(10).cost! }).split('\n');
    expect(withCost[1]).toMatch(/^sampler 48 ms \(CPU 61 ms\), avg 3\.2% of a core, budget 10%/);
    const fresh = { ...snap!, processes: [snap!.processes[0]!] };
    expect(formatTable(fresh, fresh.processes)).not.toContain('AGE');
  });
});
