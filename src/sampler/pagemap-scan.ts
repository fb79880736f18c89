/**
 * PAGEMAP_SCAN (Linux 6.7+): the populated ranges of a process's address space, through the
 * optional native module `memtop-pagemap-scan` (native/pagemap-scan; Node cannot ioctl), which
 * also batches the many small reads of kpagecount and kpageflags (loadReadRuns). With
 * it the page engine reads pagemap only where pages are present or swapped, instead of a zero
 * for every hole (a 1 GiB shared segment touched in part, a sparse heap). Without it (no
 * compiler at install, another platform, a kernel before 6.7, MEMTOP_PAGEMAP_SCAN=0) pagemap
 * is read in full, as before; both ways count the same pages.
 */
import { closeSync, openSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { decodeProcText } from './decode-text.js';

/** Set to 0 (or off, false, no) to read pagemap without PAGEMAP_SCAN. */
export const SCAN_ENV = 'MEMTOP_PAGEMAP_SCAN';

/** Words of one struct page_region { u64 start, end, categories } in a Uint32Array. */
export const REGION_WORDS = 6;

/** The native module's function: see native/pagemap-scan/pagemap_scan.c. */
export type ScanFunction = (fd: number, start: number, end: number, regions: Uint32Array) => number;

const ENOTTY = 25;
const EINVAL = 22;

/**
 * The module's batched pread (see pagemap_scan.c): runs are [first, entries, (caller's)]
 * triples; returns the entries written one run after another into `out`, or -errno.
 */
export type ReadRunsFunction = (
  fd: number,
  runs: Float64Array,
  count: number,
  out: Uint8Array,
) => number;

/** The scan function, or why there is none. */
export type ScanLoad = { scan: ScanFunction } | { scan: undefined; reason: string };

/** True when the environment asks for the plain reads. */
export function scanDisabledByEnv(): boolean {
  const value = (process.env[SCAN_ENV] ?? '').trim().toLowerCase();
  return ['0', 'off', 'false', 'no'].includes(value);
}

/** Loads the native module (not its check against the kernel: see probeScan). */
export function loadScan(): ScanLoad {
  if (scanDisabledByEnv()) return { scan: undefined, reason: `${SCAN_ENV}=0` };
  try {
    const mod = createRequire(import.meta.url)('memtop-pagemap-scan') as { scan?: unknown };
    if (typeof mod.scan !== 'function') {
      return { scan: undefined, reason: 'memtop-pagemap-scan has no scan function' };
    }
    return { scan: mod.scan as ScanFunction };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const message = (error as Error).message;
    return {
      scan: undefined,
      reason:
        code !== 'MODULE_NOT_FOUND'
          ? `memtop-pagemap-scan did not load: ${message}`
          : message.includes('pagemap_scan.node')
            ? 'memtop-pagemap-scan is not built (its install script did not run: see allowScripts)'
            : 'memtop-pagemap-scan is not installed (it is built at npm install where a C compiler exists)',
    };
  }
}

/**
 * The module's batched pread for kpagecount and kpageflags, or undefined (not built, an older
 * build without it, MEMTOP_PAGEMAP_SCAN=0): the page engine then reads them from Node.
 */
export function loadReadRuns(): ReadRunsFunction | undefined {
  if (scanDisabledByEnv()) return undefined;
  try {
    const mod = createRequire(import.meta.url)('memtop-pagemap-scan') as { readRuns?: unknown };
    return typeof mod.readRuns === 'function' ? (mod.readRuns as ReadRunsFunction) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Loads the module and tries it on this process's own stack. ENOTTY or EINVAL: the kernel has
 * no PAGEMAP_SCAN (before 6.7) or another argument layout; any failure means plain reads.
 */
export function openScan(): ScanLoad {
  const loaded = loadScan();
  if (!loaded.scan) return loaded;
  let fd: number | undefined;
  try {
    const stack = /^([0-9a-f]+)-([0-9a-f]+) .*\[stack\]$/m.exec(
      decodeProcText(readFileSync('/proc/self/maps')),
    );
    if (!stack) return { scan: undefined, reason: 'no [stack] in /proc/self/maps to try it on' };
    fd = openSync('/proc/self/pagemap', 'r');
    const regions = new Uint32Array(REGION_WORDS * 64);
    const found = loaded.scan(fd, parseInt(stack[1]!, 16), parseInt(stack[2]!, 16), regions);
    if (found > 0) return loaded;
    if (found === 0) return { scan: undefined, reason: 'PAGEMAP_SCAN found no page of the stack' };
    return {
      scan: undefined,
      reason:
        -found === ENOTTY || -found === EINVAL
          ? `this kernel has no PAGEMAP_SCAN (errno ${-found}; it needs Linux 6.7)`
          : `PAGEMAP_SCAN failed with errno ${-found}`,
    };
  } catch (error) {
    return { scan: undefined, reason: `PAGEMAP_SCAN could not be tried: ${String(error)}` };
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
