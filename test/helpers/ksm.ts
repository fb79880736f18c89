// KSM turned on for a test, and put back as it was however the run ends (root only).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

export const KSM_DIR = '/sys/kernel/mm/ksm';

/** The settings a test changes, restored in this order (run last). */
const CHANGED = ['pages_to_scan', 'sleep_millisecs', 'run'] as const;

const read = (name: string) => readFileSync(`${KSM_DIR}/${name}`, 'utf8').trim();

/** Throws (a test must fail, never skip) where the kernel has no KSM. */
export function requireKsm(): void {
  if (!existsSync(`${KSM_DIR}/run`)) {
    throw new Error(`KSM is not available here: no ${KSM_DIR}/run (a kernel without CONFIG_KSM)`);
  }
}

/**
 * Starts ksmd scanning fast (pages_to_scan 20000, sleep_millisecs 10, run 1). The returned
 * function puts every value back; when KSM was stopped it first unmerges what it merged
 * meanwhile (run 2), so that it is left as found. The exit of this process, or a
 * SIGINT/SIGTERM/SIGHUP before that, restores it too. Throws (never skips) without KSM.
 */
export function runKsm(): () => void {
  requireKsm();
  const saved = CHANGED.map((name) => [name, read(name)] as const);
  let restored = false;
  const restore = () => {
    if (restored) return;
    restored = true;
    try {
      if (saved.find(([name]) => name === 'run')![1] === '0') writeFileSync(`${KSM_DIR}/run`, '2');
      for (const [name, value] of saved) writeFileSync(`${KSM_DIR}/${name}`, value);
    } finally {
      process.off('exit', restore);
      for (const signal of SIGNALS) process.off(signal, onSignal);
    }
  };
  const onSignal = (signal: NodeJS.Signals) => {
    restore();
    process.kill(process.pid, signal);
  };
  process.on('exit', restore);
  for (const signal of SIGNALS) process.once(signal, onSignal);
  try {
    writeFileSync(`${KSM_DIR}/pages_to_scan`, '20000');
    writeFileSync(`${KSM_DIR}/sleep_millisecs`, '10');
    writeFileSync(`${KSM_DIR}/run`, '1');
  } catch (error) {
    restore();
    throw error;
  }
  return restore;
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** /proc/PID/ksm_merging_pages: the process's pages that KSM merged. */
export function ksmMergingPages(pid: number): number {
  return Number(readFileSync(`/proc/${pid}/ksm_merging_pages`, 'utf8').trim());
}

/** The KSM settings a test changes, as they are now (to check they were put back). */
export function ksmSettings(): Record<string, string> {
  return Object.fromEntries(CHANGED.map((name) => [name, read(name)]));
}
