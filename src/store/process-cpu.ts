/**
 * memtop's own CPU time so far (ms): user + system of the whole process, every thread (the
 * sampler's host thread, the page workers, the main thread's diffing, indexes and rendering,
 * V8's own), as getrusage(RUSAGE_SELF) counts it, which is what /proc/self/stat says too.
 */
export function processCpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}
