/** What sampling costs, as the headers and batch JSON frames report it. */
export interface SamplerCost {
  /** The last sample: CPU time (all threads) and wall time, ms. */
  cpuMs: number;
  wallMs: number;
  /** Processes in the last sample, and of them those whose pages it read. */
  processes: number;
  scanned: number;
  /**
   * memtop's whole CPU use (every thread, every kind of work) over the last 30 s, the first
   * sample left out, percent of one core; undefined before two samples.
   */
  averagePercent: number | undefined;
  /** The budget (--budget), percent of one core; undefined: none. */
  budgetPercent: number | undefined;
}
