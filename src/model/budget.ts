/**
 * A CPU budget for sampling. Every sample reads every process's /proc/PID/status (RSS, swap:
 * cheap, no page-table walk); only some processes also have their pages read (pagemap,
 * kpagecount, kpageflags). Which ones is planned here: the focused process and the first rows
 * always; then, as many as the budget allows, the others with the oldest per-page data first,
 * where the rows on screen count as older than they are, so that they are read more often.
 *
 * The budget is a token bucket of CPU time: it fills at `fraction` ms per ms of wall time, up
 * to a cap, and each sample takes out what it really cost: all of memtop's CPU time, every
 * thread and every kind of work, from its start to the next sample's (see store/). The cost
 * of reading a process is estimated from its resident pages with costs measured on recent
 * samples; an estimate that is off only moves when the bucket is refilled, never the average.
 */

/** One process the next sample may read page by page. */
export interface ScanCandidate {
  pid: number;
  /** Resident pages, as the last sample counted them: what its read is estimated from. */
  residentPages: number;
  /** When its pages were last read (ms since the epoch); NaN: never. */
  scannedAtMs: number;
}

/** What reading costs, in CPU ms, as measured on recent samples. */
export interface ScanCosts {
  /** Per process listed, read page by page or not (stat, status, cmdline). */
  msPerProcess: number;
  /**
   * Per resident page of the processes read page by page; a process read costs
   * SCAN_OVERHEAD_PAGES more (maps, opening pagemap, stat again).
   */
  msPerPage: number;
}

/** The fixed cost of reading one process's pages, in pages' worth of work. */
export const SCAN_OVERHEAD_PAGES = 2048;

/**
 * Starting estimates (2-core VM, Linux 6.18): the fork workload's 4.75 M resident pages cost
 * 277 ms of CPU (58 ns a page); the idle host's dozen processes ~10 ms.
 */
export const INITIAL_COSTS: ScanCosts = { msPerProcess: 0.05, msPerPage: 6e-5 };

export interface ScanPlanInput {
  /** Every process, in the order of the current sort (first rows first). */
  candidates: readonly ScanCandidate[];
  /** Read in every sample whatever the budget: the focused process. */
  required: ReadonlySet<number>;
  /** Read more often: the rows on screen. Their data's age counts `preferredWeight` times. */
  preferred: ReadonlySet<number>;
  preferredWeight: number;
  /** Now, on the clock of scannedAtMs (ms since the epoch). */
  nowMs: number;
  /** CPU ms this sample may spend, the cheap reads of every process included. */
  allowanceMs: number;
  /**
   * The allowance is as large as it gets (the bucket is full): the oldest process is then read
   * even when it alone costs more, so that no process waits forever.
   */
  allowanceIsFull: boolean;
  /**
   * A process whose pages are older than this (ms since the epoch) is read anyway, one per
   * sample (a process never read waits for the allowance like any other).
   */
  overdueBeforeMs: number;
  costs: ScanCosts;
}

export interface ScanPlan {
  /** The processes whose pages are read: the required ones, then the others, oldest first. */
  pids: number[];
}

/** Estimated CPU ms of reading one process's pages. */
export function estimateScanMs(c: ScanCandidate, costs: ScanCosts): number {
  return (c.residentPages + SCAN_OVERHEAD_PAGES) * costs.msPerPage;
}

/** When the data counts as read: never read before all; preferred ones as if read earlier. */
function readAt(c: ScanCandidate, input: ScanPlanInput): number {
  if (Number.isNaN(c.scannedAtMs)) return -Infinity;
  if (!input.preferred.has(c.pid)) return c.scannedAtMs;
  return input.nowMs - (input.nowMs - c.scannedAtMs) * input.preferredWeight;
}

/** Which processes the next sample reads page by page. Pure: inputs are not mutated. */
export function planScans(input: ScanPlanInput): ScanPlan {
  const { candidates, required, costs } = input;
  let estimatedMs = candidates.length * costs.msPerProcess;
  const pids: number[] = [];
  const rest: ScanCandidate[] = [];
  for (const c of candidates) {
    if (required.has(c.pid)) {
      pids.push(c.pid);
      estimatedMs += estimateScanMs(c, costs);
    } else rest.push(c);
  }
  // Oldest first; ties keep the sort order.
  const order = rest.map((c, rank) => ({ c, rank, at: readAt(c, input) }));
  order.sort((a, b) => a.at - b.at || a.rank - b.rank);
  let optional = 0;
  for (const { c } of order) {
    const cost = estimateScanMs(c, costs);
    if (estimatedMs + cost > input.allowanceMs) {
      // The oldest waits for the allowance to grow; none behind it goes first (it would starve).
      const overdue = c.scannedAtMs < input.overdueBeforeMs;
      const forced = optional === 0 && (input.allowanceIsFull || overdue);
      if (forced) {
        pids.push(c.pid);
        estimatedMs += cost;
      }
      break;
    }
    pids.push(c.pid);
    estimatedMs += cost;
    optional++;
  }
  return { pids };
}

/** The budget's account: credit, measured costs, and the recent samples they are fitted to. */
export interface BudgetAccount {
  /** CPU ms the sampler may still spend; negative after samples that cost more than was put by. */
  creditMs: number;
  /** When credit was last added (ms on a monotonic clock); undefined before the first sample. */
  atMs: number | undefined;
  costs: ScanCosts;
  /** Recent samples, for the costs. */
  recent: readonly SampleCost[];
}

/** The CPU share reported as memtop's average, and the costs, are taken over this window (ms). */
export const AVERAGE_WINDOW_MS = 30_000;

export function newBudgetAccount(): BudgetAccount {
  return { creditMs: 0, atMs: undefined, costs: INITIAL_COSTS, recent: [] };
}

/** The most credit can hold (ms): `fraction` of five intervals, and of 10 s at least. */
export function creditCapMs(fraction: number, intervalMs: number): number {
  return fraction * Math.max(5 * intervalMs, 10_000);
}

/** Credit added for the wall time since the last sample, up to the cap. */
export function accrueCredit(
  account: BudgetAccount,
  fraction: number,
  nowMs: number,
  capMs: number,
): BudgetAccount {
  if (account.atMs === undefined) return { ...account, atMs: nowMs };
  const creditMs = Math.min(capMs, account.creditMs + fraction * Math.max(0, nowMs - account.atMs));
  return { ...account, creditMs, atMs: nowMs };
}

/** What one sample read, and what memtop spent from its start to the next sample's. */
export interface SampleCost {
  /** When it started (ms, the account's clock). */
  atMs: number;
  cpuMs: number;
  /** Processes listed; of them, read page by page; their resident pages. */
  processes: number;
  scanned: number;
  scannedPages: number;
}

/**
 * Costs fitted to recent samples by least squares, cpuMs ≈ msPerProcess · processes +
 * msPerPage · (pages read + SCAN_OVERHEAD_PAGES · processes read), both kept positive; with
 * too few or too alike samples, both scaled alike from INITIAL_COSTS to what the samples cost.
 */
export function fitCosts(samples: readonly SampleCost[], previous: ScanCosts): ScanCosts {
  let nn = 0;
  let nw = 0;
  let ww = 0;
  let nc = 0;
  let wc = 0;
  for (const s of samples) {
    const n = s.processes;
    const w = s.scannedPages + SCAN_OVERHEAD_PAGES * s.scanned;
    nn += n * n;
    nw += n * w;
    ww += w * w;
    nc += n * s.cpuMs;
    wc += w * s.cpuMs;
  }
  const det = nn * ww - nw * nw;
  if (samples.length >= 3 && det > 1e-6 * nn * ww) {
    const msPerProcess = (nc * ww - wc * nw) / det;
    const msPerPage = (wc * nn - nc * nw) / det;
    if (msPerProcess > 0 && msPerPage > 0) return { msPerProcess, msPerPage };
  }
  // Too few or too alike samples to tell the two apart (every sample reading the same few
  // processes): the initial ratio between them, scaled to what these samples cost. Keeping one
  // term from older samples instead could leave it far off for as long as the samples stay alike.
  let sumN = 0;
  let sumW = 0;
  let sumC = 0;
  for (const s of samples) {
    sumN += s.processes;
    sumW += s.scannedPages + SCAN_OVERHEAD_PAGES * s.scanned;
    sumC += s.cpuMs;
  }
  const predicted = INITIAL_COSTS.msPerProcess * sumN + INITIAL_COSTS.msPerPage * sumW;
  if (predicted > 0 && sumC > 0) {
    const scale = sumC / predicted;
    return {
      msPerProcess: INITIAL_COSTS.msPerProcess * scale,
      msPerPage: INITIAL_COSTS.msPerPage * scale,
    };
  }
  return previous;
}

/**
 * Takes a sample's whole cost out of the credit (which may go negative: the samples after it
 * repay it) and fits the costs again over the recent samples.
 */
export function spendCredit(account: BudgetAccount, sample: SampleCost): BudgetAccount {
  const recent = [...account.recent, sample].filter(
    (r) => r.atMs > sample.atMs - AVERAGE_WINDOW_MS,
  );
  return {
    ...account,
    creditMs: account.creditMs - sample.cpuMs,
    costs: fitCosts(recent, account.costs),
    recent,
  };
}

/** memtop's own CPU time so far, read at a moment (the process's counters: every thread). */
export interface CpuReading {
  /** When (ms, the account's clock). */
  atMs: number;
  /** CPU time of the whole process so far (ms). */
  cpuMs: number;
}

/**
 * The readings kept for the average, `reading` added: those of the last `windowMs`, and the
 * one before them, so that two readings span the window once there is that much history.
 */
export function addReading(
  readings: readonly CpuReading[],
  reading: CpuReading,
  windowMs: number = AVERAGE_WINDOW_MS,
): CpuReading[] {
  const all = [...readings, reading];
  const start = reading.atMs - windowMs;
  let first = 0;
  while (first + 1 < all.length - 1 && all[first + 1]!.atMs <= start) first++;
  return all.slice(first);
}

/**
 * The CPU used between the first and the last reading, as a fraction of one core: the real
 * share of the process over that span, whatever it did. Undefined before two readings.
 */
export function cpuShare(readings: readonly CpuReading[]): number | undefined {
  const first = readings[0];
  const last = readings.at(-1);
  if (!first || !last || last.atMs <= first.atMs) return undefined;
  return (last.cpuMs - first.cpuMs) / (last.atMs - first.atMs);
}
