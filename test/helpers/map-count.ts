// vm.max_map_count raised for a workload of many mappings, and put back however the run ends.
import { readFileSync, writeFileSync } from 'node:fs';

const MAX_MAP_COUNT = '/proc/sys/vm/max_map_count';

/** Mappings a process may have beyond the ones it asks for (its binary, stack, heap, vdso…). */
const SPARE_MAPPINGS = 1024;

/**
 * Raises vm.max_map_count so that a process can hold `mappings` mappings (never lowers it);
 * the returned function puts the old value back, and so does the exit of this process or a
 * SIGINT/SIGTERM/SIGHUP before that (then the signal is raised again to end it as it would
 * have). Needs root.
 */
export function raiseMapCount(mappings: number): () => void {
  const before = readFileSync(MAX_MAP_COUNT, 'utf8').trim();
  const wanted = mappings + SPARE_MAPPINGS;
  if (Number(before) >= wanted) return () => {};
  writeFileSync(MAX_MAP_COUNT, String(wanted));
  let restored = false;
  const restore = () => {
    if (restored) return;
    restored = true;
    writeFileSync(MAX_MAP_COUNT, before);
    process.off('exit', restore);
    for (const signal of SIGNALS) process.off(signal, onSignal);
  };
  const onSignal = (signal: NodeJS.Signals) => {
    restore();
    process.kill(process.pid, signal);
  };
  process.on('exit', restore);
  for (const signal of SIGNALS) process.once(signal, onSignal);
  return restore;
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** vm.max_map_count now. */
export function mapCount(): number {
  return Number(readFileSync(MAX_MAP_COUNT, 'utf8').trim());
}
