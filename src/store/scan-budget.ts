import {
  accrueCredit,
  addReading,
  cpuShare,
  creditCapMs,
  newBudgetAccount,
  planScans,
  spendCredit,
  type BudgetAccount,
  type CpuReading,
  type SampleCost,
} from '../model/budget.js';
import { scanTimeOf } from '../model/changes.js';
import type { Snapshot } from '../model/types.js';
import type { SamplerCost } from './contract.js';
import { processCpuMs } from './process-cpu.js';

/** A process unread for this long is read even when the budget has no room for it (ms). */
const OVERDUE_MS = 10 * 60_000;
/** The age of a row on screen counts this many times: rows on screen are read more often. */
const PREFERRED_WEIGHT = 8;

/** What a sample read: what its cycle's cost is fitted against. */
type SampleRead = Omit<SampleCost, 'atMs' | 'cpuMs'>;

/**
 * memtop's CPU budget across samples (see model/budget.ts): before each sample, which
 * processes are read from their status alone; after it, what it read. What is charged is all
 * of memtop's CPU time, read from the process's own counters (`cpuMs`): every thread and every
 * kind of work (sampling, comparing, indexes, rendering, whatever consumes the samples), each
 * ms once, from the start of the second sample on. The cost of a cycle (from one sample's start
 * to the next one's) teaches the costs; the average shown is the process's real share of a
 * core from the end of the first sample on.
 * With no budget (`percent` undefined) every sample reads every process, and the cost is still
 * measured.
 */
export class ScanBudget {
  private account: BudgetAccount = newBudgetAccount();
  /** The cycle under way (from a sample's start to the next one's): when, and what it read. */
  private cycle: { atMs: number; read?: SampleRead } | undefined;
  private firstEnded = false;
  /** memtop's CPU time when it was last charged; undefined until the second sample starts. */
  private chargedCpuMs: number | undefined;
  /** Readings of memtop's CPU time at the end of each sample, for the average. */
  private readings: CpuReading[] = [];
  private last: { cpuMs: number; wallMs: number; scanned: number; processes: number } | undefined;

  constructor(
    /** Percent of one core; undefined: no budget. */
    readonly percent: number | undefined,
    private readonly now: () => number,
    /** memtop's CPU time so far (ms): the process's own counters, every thread. */
    private readonly cpuMs: () => number = processCpuMs,
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
    this.charge(nowMs);
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
    const processes = sample.processes.length;
    const reading = { atMs: this.now(), cpuMs: this.cpuMs() };
    if (!this.firstEnded) {
      // The first sample reads everything, whatever the budget: it is not charged, nor is
      // memtop's start before it nor what follows until the second sample (the first frame, on
      // cold code); it earns no credit while it runs, teaches no costs and is left out of the
      // average, which shows everything after it.
      this.firstEnded = true;
      if (this.account.atMs !== undefined) this.account = { ...this.account, atMs: reading.atMs };
    } else if (this.cycle) {
      this.cycle.read = { processes, scanned, scannedPages };
    }
    this.readings = addReading(this.readings, reading);
    const cpuMs = sample.cpuMs ?? sample.costMs;
    this.last = { cpuMs, wallMs: sample.costMs, scanned, processes };
  }

  /** What the header shows of sampling's cost, and memtop's average share of a core. */
  cost(): SamplerCost | undefined {
    if (!this.last) return undefined;
    const average = cpuShare(this.readings);
    return {
      ...this.last,
      averagePercent: average === undefined ? undefined : average * 100,
      budgetPercent: this.percent,
    };
  }

  /**
   * Takes out of the credit all that memtop spent since it was last charged, and fits the
   * costs to the cycle that ends now; a new cycle starts.
   */
  private charge(nowMs: number): void {
    if (!this.firstEnded) return;
    const cpuMs = this.cpuMs();
    if (this.chargedCpuMs === undefined) {
      // The second sample starts: from now on every ms is charged.
      this.chargedCpuMs = cpuMs;
      this.cycle = { atMs: nowMs };
      return;
    }
    const spentMs = cpuMs - this.chargedCpuMs;
    const read = this.cycle?.read;
    if (this.cycle && read) {
      const cost = { atMs: this.cycle.atMs, cpuMs: spentMs, ...read };
      this.account = spendCredit(this.account, cost);
    } else {
      // A cycle whose sample did not end (stopped): charged, but it teaches no costs.
      this.account = { ...this.account, creditMs: this.account.creditMs - spentMs };
    }
    this.chargedCpuMs = cpuMs;
    this.cycle = { atMs: nowMs };
  }
}
