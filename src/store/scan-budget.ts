import {
  accrueCredit,
  averageCpuFraction,
  creditCapMs,
  newBudgetAccount,
  planScans,
  spendCredit,
  type BudgetAccount,
} from '../model/budget.js';
import { scanTimeOf } from '../model/changes.js';
import type { Snapshot } from '../model/types.js';
import type { SamplerCost } from './contract.js';

/** A process unread for this long is read even when the budget has no room for it (ms). */
const OVERDUE_MS = 10 * 60_000;
/** The age of a row on screen counts this many times: rows on screen are read more often. */
const PREFERRED_WEIGHT = 8;

/**
 * The sampler's CPU budget across samples (see model/budget.ts): before each sample, which
 * processes are read from their status alone; after it, what it cost. With no budget
 * (`percent` undefined) every sample reads every process, and the cost is still measured.
 */
export class ScanBudget {
  private account: BudgetAccount = newBudgetAccount();
  private startedMs = 0;
  private last: { cpuMs: number; wallMs: number; scanned: number; processes: number } | undefined;

  constructor(
    /** Percent of one core; undefined: no budget. */
    readonly percent: number | undefined,
    private readonly now: () => number,
  ) {}

  /**
   * Call right before a sample of `pids` (the processes listed now); `previous` is the last
   * sample, completed by carryScans. Returns the pids to read from status alone; undefined:
   * read every process (no budget, or no sample yet). `required`: read whatever the budget
   * (the focused process); `preferred`: read more often (the rows on screen). A process new
   * since `previous` has never been read: it goes first, within the budget like any other.
   */
  plan(
    previous: Snapshot | undefined,
    pids: readonly number[],
    wanted: { required?: readonly number[]; preferred?: readonly number[] },
    intervalMs: number,
  ): number[] | undefined {
    const nowMs = this.now();
    this.startedMs = nowMs;
    if (this.percent === undefined) return undefined;
    const fraction = this.percent / 100;
    const capMs = creditCapMs(fraction, intervalMs);
    this.account = accrueCredit(this.account, fraction, nowMs, capMs);
    if (!previous) return undefined;
    const known = new Map(previous.processes.map((p) => [p.pid, p]));
    const candidates = pids.map((pid) => {
      const p = known.get(pid);
      if (!p) return { pid, residentPages: 0, scannedAtMs: NaN };
      const rssBytes = Number.isNaN(p.totals.rssBytes) ? 0 : p.totals.rssBytes;
      return {
        pid,
        residentPages: rssBytes / previous.pageSize,
        scannedAtMs: scanTimeOf(p, previous.timeMs),
      };
    });
    const plan = planScans({
      candidates,
      required: new Set(wanted.required),
      preferred: new Set(wanted.preferred),
      preferredWeight: PREFERRED_WEIGHT,
      nowMs: previous.timeMs,
      allowanceMs: this.account.creditMs,
      allowanceIsFull: this.account.creditMs >= capMs * 0.999,
      overdueBeforeMs: previous.timeMs - OVERDUE_MS,
      costs: this.account.costs,
    });
    const scanned = new Set(plan.pids);
    return pids.filter((pid) => !scanned.has(pid));
  }

  /** Call right after the sample, with what the sampler returned (before carryScans). */
  record(sample: Snapshot): void {
    let scanned = 0;
    let scannedPages = 0;
    for (const p of sample.processes) {
      if (p.scannedAtMs !== undefined) continue;
      scanned++;
      if (!Number.isNaN(p.totals.rssBytes)) scannedPages += p.totals.rssBytes / sample.pageSize;
    }
    const cpuMs = sample.cpuMs ?? sample.costMs;
    const processes = sample.processes.length;
    if (this.last === undefined) {
      // The first sample reads everything, whatever the budget: it is not charged, earns no
      // credit while it runs, teaches no costs (it runs on cold code and buffers) and is left
      // out of the average.
      if (this.account.atMs !== undefined) this.account = { ...this.account, atMs: this.now() };
    } else {
      // Every later sample is charged in full, so that the average keeps to the budget.
      const cost = { atMs: this.startedMs, cpuMs, processes, scanned, scannedPages };
      this.account = spendCredit(this.account, cost, -Infinity);
    }
    this.last = { cpuMs, wallMs: sample.costMs, scanned, processes };
  }

  /** What the header shows of the sampler's own cost. */
  cost(): SamplerCost | undefined {
    if (!this.last) return undefined;
    const average = averageCpuFraction(this.account);
    return {
      ...this.last,
      averagePercent: average === undefined ? undefined : average * 100,
      budgetPercent: this.percent,
    };
  }
}
