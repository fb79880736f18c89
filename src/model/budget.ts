/**
 * A CPU budget for sampling. Every sample reads every process's /proc/PID/status (RSS, swap:
 * cheap, no page-table walk); only some processes also have their pages read (pagemap,
 * kpagecount, kpageflags). Which ones is planned here: the focused process and the first rows
 * always; then, as many as the budget allows, the others with the oldest per-page data first,
 * where the rows on screen count as older than they are, so that they are read more often.
 *
 * The budget is a token bucket of CPU time: it fills at `fraction` ms per ms of wall time, up
 * to a cap, and each sample takes out what it really cost (CPU time of all threads). The cost
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
  /** Per process read page by page, besides msPerProcess (maps, opening pagemap, stat again). */
  msPerScan: number;
  /** Per resident page of the processes read page by page. */
  msPerPage: number;
}

/**
 * Starting estimates (2-core VM, Linux 6.18): the fork workload's 4.75 M resident pages cost
 * 277 ms of CPU (58 ns a page); the idle host's dozen processes ~10 ms.
 */
export const INITIAL_COSTS: ScanCosts = { msPerProcess: 0.05, msPerScan: 0.25, msPerPage: 6e-5 };

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
  /** A process whose pages are older than this (ms since the epoch) is read anyway, one per sample. */
  overdueBeforeMs: number;
  costs: ScanCosts;
}

export interface ScanPlan {
  /** The processes whose pages are read: the required ones, then the others, oldest first. */
  pids: number[];
  /** Estimated CPU ms of the whole sample. */
  estimatedMs: number;
}

/** Estimated CPU ms of reading one process's pages. */
export function estimateScanMs(c: ScanCandidate, costs: ScanCosts): number {
  return costs.msPerScan + c.residentPages * costs.msPerPage;
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
      const overdue = !(c.scannedAtMs >= input.overdueBeforeMs); // NaN (never read) too
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
  return { pids, estimatedMs };
}

/** The budget's account: credit, measured costs, and recent samples for the average. */
export interface BudgetAccount {
  /** CPU ms the sampler may still spend; negative after samples that cost more than was put by. */
  creditMs: number;
  /** When credit was last added (ms on a monotonic clock); undefined before the first sample. */
  atMs: number | undefined;
  costs: ScanCosts;
  /** Recent samples (start on the same clock, CPU ms), for the average. */
  recent: readonly { atMs: number; cpuMs: number }[];
}

/** The CPU fraction reported as the sampler's average is taken over this window (ms). */
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

/** What one sample read and cost. */
export interface SampleCost {
  /** When it started (ms, the account's clock). */
  atMs: number;
  cpuMs: number;
  /** Processes listed; of them, read page by page; their resident pages. */
  processes: number;
  scanned: number;
  scannedPages: number;
}

/** Weight of the newest sample in the measured costs. */
const LEARN_RATE = 0.3;
/** Samples with fewer pages read than this do not teach the cost per page (too noisy). */
const MIN_LEARN_PAGES = 20_000;
/** Reading a process's stat, status and cmdline costs at least this (ms): keeps ratios finite. */
const MIN_MS_PER_PROCESS = 0.005;

/**
 * Takes a sample's cost out of the credit (down to −capMs: a first sample of a big host is not
 * repaid for minutes) and learns the costs from it.
 */
export function spendCredit(
  account: BudgetAccount,
  sample: SampleCost,
  capMs: number,
): BudgetAccount {
  const costs = { ...account.costs };
  const fixedWeight = sample.processes + (costs.msPerScan / costs.msPerProcess) * sample.scanned;
  if (sample.scannedPages >= MIN_LEARN_PAGES) {
    const perPage =
      Math.max(0, sample.cpuMs - fixedWeight * costs.msPerProcess) / sample.scannedPages;
    costs.msPerPage += LEARN_RATE * (perPage - costs.msPerPage);
  } else if (fixedWeight > 0) {
    const fixed = Math.max(0, sample.cpuMs - sample.scannedPages * costs.msPerPage) / fixedWeight;
    const ratio = costs.msPerScan / costs.msPerProcess;
    costs.msPerProcess = Math.max(
      MIN_MS_PER_PROCESS,
      costs.msPerProcess + LEARN_RATE * (fixed - costs.msPerProcess),
    );
    costs.msPerScan = ratio * costs.msPerProcess;
  }
  const recent = [...account.recent, { atMs: sample.atMs, cpuMs: sample.cpuMs }].filter(
    (r) => r.atMs > sample.atMs - AVERAGE_WINDOW_MS,
  );
  return {
    ...account,
    creditMs: Math.max(-capMs, account.creditMs - sample.cpuMs),
    costs,
    recent,
  };
}

/**
 * The sampler's average CPU use, as a fraction of one core, over the recent samples: each
 * sample's CPU time against the wall time from its start to the next one's. Undefined before
 * two samples.
 */
export function averageCpuFraction(account: BudgetAccount): number | undefined {
  const { recent } = account;
  if (recent.length < 2) return undefined;
  const spanMs = recent.at(-1)!.atMs - recent[0]!.atMs;
  if (spanMs <= 0) return undefined;
  let cpuMs = 0;
  for (let i = 0; i + 1 < recent.length; i++) cpuMs += recent[i]!.cpuMs;
  return cpuMs / spanMs;
}
