/**
 * memtop's own page-table mappings, to be taken out of everyone else's figures. kpagecount
 * counts page-table mappings, so each page memtop maps (libc, libm, the vDSO, its node binary,
 * shared memory) reads one more while memtop samples, in every process that maps it too: a
 * page of libc mapped by one program and by memtop would otherwise count as shared, at half its
 * size in PSS. The observer is memtop's process (its worker threads share its mm) and its
 * launcher: a sudo, doas or su parent that exists only to run memtop and stays resident, with
 * its libc and PAM, as long as memtop does.
 *
 * Only mappings that can hold a page another process maps are read: file-backed ones, shared
 * ones, and the kernel's special mappings ([vdso]). Private anonymous memory is memtop's own
 * (pagemap marks it exclusive), and the zero page it maps there reads 0 in kpagecount anyway.
 * Within those mappings only pages that pagemap does not mark exclusive can be mapped by
 * another process.
 */
import { USER_SPACE_END } from '../model/address-space.js';
import { PAGEMAP_GAP } from './page-engine.js';
import type { PfnIndex } from './pfn-index.js';
import { parseMaps, parseStat, type StatFields } from './parse-proc.js';
import {
  MAPS_LIMIT,
  STAT_LIMIT,
  ProcessReadFailure,
  closeQuietly,
  openProcFile,
  preadFully,
  readProcText,
} from './proc-files.js';

/** The parents that exist only to run their command: they are part of the observer. */
export const LAUNCHERS: readonly string[] = ['sudo', 'doas', 'su'];

/** Entries per pagemap read (1 MiB). */
const READ_ENTRIES = 1 << 17;
const HI_PRESENT = 0x80000000;
const HI_EXCLUSIVE = 0x01000000;
const HI_PFN_MASK = 0x7fffff;
const TWO_32 = 4294967296;

/** PFNs, one entry for each page-table mapping of each (a page mapped twice is there twice). */
export interface PfnList {
  pfns: Float64Array;
  length: number;
}

/** What PageSampler.run() takes out of the map counts it reads (see correctMapCounts). */
export interface ObserverSource {
  /** Reads the observer's mappings: called before the pagemap phase. */
  begin(): void;
  /**
   * Called once the map counts are read: the observer's mappings now, and the PFNs it mapped
   * a different number of times at begin() (faulted in or dropped during the sample), whose
   * map counts were read at an unknown moment and must be read again.
   */
  end(): { mapped: PfnList; changed: PfnList };
}

/** One process of the observer, with the files read from it each sample. */
interface Observed {
  pid: number;
  /** Its start time (stat field 22): a launcher gone and its pid reused is not ours. */
  startTime: number;
  dir: string;
  pagemapFd: number;
  statmFd: number;
}

/** memtop and its launchers, read each sample. */
export class ObserverPages implements ObserverSource {
  private observed: Observed[];
  private before: PfnList = { pfns: new Float64Array(1 << 14), length: 0 };
  private after: PfnList = { pfns: new Float64Array(1 << 14), length: 0 };
  private readonly changed: PfnList = { pfns: new Float64Array(1 << 10), length: 0 };
  private readonly bytes = new Uint8Array(READ_ENTRIES * 8);
  private readonly words = new Uint32Array(this.bytes.buffer);
  private readonly statmBytes = new Uint8Array(256);
  private sharedBefore = 0;

  private constructor(
    observed: Observed[],
    private readonly pageSize: number,
  ) {
    this.observed = observed;
  }

  /** This process and the launchers above it, on the live /proc. */
  /** selfPid: memtop's pid as /proc names it (in a pid namespace, not process.pid). */
  static open(pageSize: number, selfPid: number): ObserverPages {
    const self = readStatFile('/proc/self/stat');
    const observed: Observed[] = [];
    const add = (pid: number, startTime: number, dir: string) => {
      const pagemapFd = openProcFile(`${dir}/pagemap`);
      try {
        observed.push({ pid, startTime, dir, pagemapFd, statmFd: openProcFile(`${dir}/statm`) });
      } catch (error) {
        closeQuietly(pagemapFd);
        throw error;
      }
    };
    add(selfPid, self?.startTime ?? 0, '/proc/self');
    for (const launcher of findLaunchers(self?.ppid ?? 0)) {
      try {
        add(launcher.pid, launcher.startTime, `/proc/${launcher.pid}`);
      } catch (error) {
        if (!(error instanceof ProcessReadFailure)) throw error;
        // a launcher that exited meanwhile, or that we may not read: not part of the observer
      }
    }
    return new ObserverPages(observed, pageSize);
  }

  /** The processes of the observer: memtop first, then its launchers, nearest first. */
  get pids(): number[] {
    return this.observed.map((o) => o.pid);
  }

  /** Drops a launcher that has exited (its pid may be reused by now). */
  refresh(): void {
    this.observed = this.observed.filter((o, i) => {
      if (i === 0) return true;
      const stat = readStatFile(`${o.dir}/stat`);
      if (stat && stat.startTime === o.startTime && stat.state !== 'Z') return true;
      closeQuietly(o.pagemapFd);
      closeQuietly(o.statmFd);
      return false;
    });
  }

  begin(): void {
    // The resident file and shmem pages first: whatever the observer maps from now on shows.
    this.sharedBefore = this.residentSharedPages();
    this.read(this.before);
  }

  end(): { mapped: PfnList; changed: PfnList } {
    this.changed.length = 0;
    if (this.residentSharedPages() === this.sharedBefore) {
      return { mapped: this.before, changed: this.changed };
    }
    // The observer faulted pages in (or lost some) during the sample: read it again, and find
    // the PFNs whose mappings changed.
    this.read(this.after);
    sortList(this.before);
    sortList(this.after);
    differingPfns(this.before, this.after, this.changed);
    const mapped = this.after;
    this.after = this.before;
    this.before = mapped;
    // A sample read in pieces calls end() after each: the next compares with this reading.
    this.sharedBefore = this.residentSharedPages();
    return { mapped, changed: this.changed };
  }

  close(): void {
    for (const o of this.observed) {
      closeQuietly(o.pagemapFd);
      closeQuietly(o.statmFd);
    }
    this.observed = [];
  }

  /** The observer's resident file and shmem pages (statm's third field), all processes. */
  private residentSharedPages(): number {
    let pages = 0;
    for (const o of this.observed) {
      try {
        const n = preadFully(o.statmFd, this.statmBytes, this.statmBytes.length, 0);
        let field = 0;
        let value = 0;
        for (let i = 0; i < n && field < 3; i++) {
          const c = this.statmBytes[i]!;
          if (c === 32) field++;
          else if (field === 2) value = value * 10 + (c - 48);
        }
        pages += value;
      } catch (error) {
        if (!(error instanceof ProcessReadFailure)) throw error;
      }
    }
    return pages;
  }

  /** Every observer process's mapped PFNs into `out`, unsorted. */
  private read(out: PfnList): void {
    out.length = 0;
    for (const o of this.observed) {
      let maps: string;
      try {
        maps = readProcText(`${o.dir}/maps`, MAPS_LIMIT);
      } catch (error) {
        if (error instanceof ProcessReadFailure) continue;
        throw error;
      }
      for (const [first, entries] of readRanges(maps, this.pageSize)) {
        let got: number;
        try {
          got = preadFully(o.pagemapFd, this.bytes, entries * 8, first * 8) >>> 3;
        } catch (error) {
          if (error instanceof ProcessReadFailure) break;
          throw error;
        }
        this.decode(got, out);
      }
    }
  }

  /** Appends the PFN of each present page pagemap does not mark exclusive. */
  private decode(entries: number, out: PfnList): void {
    const words = this.words;
    for (let i = 0; i < entries; i++) {
      const hi = words[2 * i + 1]!;
      if ((hi & HI_PRESENT) === 0 || hi & HI_EXCLUSIVE) continue;
      const pfn = words[2 * i]! + (hi & HI_PFN_MASK) * TWO_32;
      if (pfn !== 0) pushPfn(out, pfn);
    }
  }
}

/**
 * The launchers above a process: its parent while that is sudo, doas or su (sudo may run its
 * command under a second sudo, the monitor of its pty), and so on up.
 */
export function findLaunchers(ppid: number): { pid: number; startTime: number }[] {
  const out: { pid: number; startTime: number }[] = [];
  for (let pid = ppid; pid > 1 && out.length < 4;) {
    const stat = readStatFile(`/proc/${pid}/stat`);
    if (!stat || !LAUNCHERS.includes(stat.comm)) break;
    out.push({ pid, startTime: stat.startTime });
    pid = stat.ppid ?? 0; // an unknown parent ends the walk
  }
  return out;
}

/**
 * The page ranges to read of a maps text: every mapping but private anonymous memory, below
 * the end of user space, those closer than PAGEMAP_GAP pages in one read of at most
 * READ_ENTRIES.
 */
export function readRanges(maps: string, pageSize: number): [number, number][] {
  const out: [number, number][] = [];
  for (const m of parseMaps(maps)) {
    if (m.start >= USER_SPACE_END || isPrivateAnonymous(m.perms, m.inode, m.path)) continue;
    const first = m.start / pageSize;
    const last = Math.min(m.end, USER_SPACE_END) / pageSize;
    for (let p = first; p < last;) {
      const open = out.at(-1);
      if (open && p - (open[0] + open[1]) <= PAGEMAP_GAP && open[1] < READ_ENTRIES) {
        const to = Math.min(last, open[0] + READ_ENTRIES);
        open[1] = to - open[0];
        p = to;
      } else {
        const to = Math.min(last, p + READ_ENTRIES);
        out.push([p, to - p]);
        p = to;
      }
    }
  }
  return out;
}

/** Private anonymous memory: no file, not shared, not a special mapping of the kernel. */
function isPrivateAnonymous(perms: string, inode: number, path: string): boolean {
  if (perms[3] === 's' || inode !== 0) return false;
  return path === '' || path === '[heap]' || path.startsWith('[stack') || path.startsWith('[anon:');
}

function pushPfn(list: PfnList, pfn: number): void {
  if (list.length === list.pfns.length) {
    const bigger = new Float64Array(Math.max(1024, list.pfns.length * 2));
    bigger.set(list.pfns);
    list.pfns = bigger;
  }
  list.pfns[list.length++] = pfn;
}

function sortList(list: PfnList): void {
  list.pfns.subarray(0, list.length).sort();
}

/** The PFNs of two sorted lists that occur a different number of times in each, once each. */
export function differingPfns(a: PfnList, b: PfnList, out: PfnList): void {
  out.length = 0;
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const pfn = Math.min(
      i < a.length ? a.pfns[i]! : Infinity,
      j < b.length ? b.pfns[j]! : Infinity,
    );
    let inA = 0;
    let inB = 0;
    for (; i < a.length && a.pfns[i] === pfn; i++) inA++;
    for (; j < b.length && b.pfns[j] === pfn; j++) inB++;
    if (inA !== inB) pushPfn(out, pfn);
  }
}

function readStatFile(path: string): StatFields | undefined {
  try {
    return parseStat(readProcText(path, STAT_LIMIT));
  } catch {
    return undefined;
  }
}

/**
 * Takes the observer's own page-table mappings out of the map counts a run read (rank-indexed
 * by `index`, as the kpage phase stores them), so that a page mapped by memtop and one other
 * process is that process's alone. Counts read while the observer's mapping of a page changed
 * are read again first. A count stays at least 1 (the sampled process maps the page: a count
 * read before memtop's fault of it did not include memtop), and 0 stays 0 (the zero page, no
 * memory). Returns the PFNs at or past the index's limit with the mappings to take from them
 * (hosts above 16 TiB), and marks in `single` the PFNs whose count came down to 1.
 */
export function correctMapCounts(
  index: PfnIndex,
  counts: Uint32Array,
  observed: { mapped: PfnList; changed: PfnList },
  countFd: number,
  scratch: { bytes: Uint8Array; words: Uint32Array },
  single: PfnIndex,
): Map<number, number> {
  const limit = index.limit;
  const { changed, mapped } = observed;
  for (let i = 0; i < changed.length; i++) {
    const pfn = changed.pfns[i]!;
    if (pfn >= limit || !index.has(pfn)) continue;
    const got = preadFully(countFd, scratch.bytes, 8, pfn * 8);
    counts[index.rank(pfn)] = got === 8 ? scratch.words[0]! : 0;
  }
  const beyond = new Map<number, number>();
  for (let i = 0; i < mapped.length; i++) {
    const pfn = mapped.pfns[i]!;
    if (pfn >= limit) {
      beyond.set(pfn, (beyond.get(pfn) ?? 0) + 1);
      continue;
    }
    if (!index.has(pfn)) continue;
    const rank = index.rank(pfn);
    const count = counts[rank]!;
    if (count <= 1) continue;
    counts[rank] = count - 1;
    if (count === 2) single.mark(pfn);
  }
  return beyond;
}
