import { createRequire } from 'node:module';

/**
 * Ends the process at once with `code`, for when a thread of memtop's is stuck in a read that
 * never returns (a hung mount, a process's locked memory): process.exit() would join that
 * thread and wait for ever. Through the optional native module's _exit(2); without the module,
 * memtop sends itself SIGKILL, and its exit status is then 137 (128 + SIGKILL) whatever
 * `code` was. The caller restores the terminal first: nothing runs after this.
 */
export function hardExit(code: number): never {
  try {
    const mod = createRequire(import.meta.url)('memtop-pagemap-scan') as { exitNow?: unknown };
    if (typeof mod.exitNow === 'function') (mod.exitNow as (code: number) => never)(code);
  } catch {
    // not built or not installed: the signal below
  }
  process.kill(process.pid, 'SIGKILL');
  // SIGKILL is delivered before kill() returns to a process that signals itself.
  throw new Error('unreachable');
}
