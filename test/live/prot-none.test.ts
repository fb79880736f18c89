// PROT_NONE mappings are left out of the pagemap reads, then checked against the process's
// RSS: a reservation that holds nothing is never read, and pages made PROT_NONE after they were
// written (mprotect keeps them resident) are still counted, exactly as smaps_rollup counts them.
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pssBytes } from '../../src/model/counters.js';
import type { ProcessSample } from '../../src/model/types.js';
import { Sampler } from '../../src/sampler/sampler.js';
import { readRollup } from '../helpers/smaps.js';
import { PAGE_SIZE, Workload } from '../helpers/workload.js';

const RESERVE_GIB = 64;
const TOUCHED_MIB = 4;
const HIDDEN_MIB = 8;

/**
 * A python3 process that maps 1 GiB, writes its first HIDDEN_MIB, makes all of it PROT_NONE,
 * prints the address and waits for EOF on stdin.
 */
const HIDE_PAGES = `
import ctypes, mmap, sys
libc = ctypes.CDLL(None, use_errno=True)
libc.mprotect.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
size = 1 << 30
m = mmap.mmap(-1, size, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS, prot=mmap.PROT_READ | mmap.PROT_WRITE)
for i in range(0, ${HIDDEN_MIB} << 20, 4096):
    m[i] = 1
addr = ctypes.addressof(ctypes.c_char.from_buffer(m))
if libc.mprotect(addr, size, 0) != 0:
    raise OSError(ctypes.get_errno(), 'mprotect')
print(addr, flush=True)
sys.stdin.read()
`;

let sparse: Workload;
let reserve: number;
let hider: ChildProcessByStdio<Writable, Readable, null>;
let hidden: number;
let sampler: Sampler;

beforeAll(async () => {
  sparse = await Workload.start();
  reserve = await sparse.reserve(RESERVE_GIB, TOUCHED_MIB);
  hider = spawn('python3', ['-c', HIDE_PAGES], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: hider.stdout })[Symbol.asyncIterator]();
  const line = (await lines.next()).value as string;
  hidden = Number(line);
  // The sampler runs in this process, which lives while the kernel's figures are read: they
  // count its mappings, so it subtracts none of its own (as with --include-self).
  sampler = Sampler.open({ includeSelf: true });
}, 60_000);

afterAll(async () => {
  sampler?.close();
  hider?.stdin.end();
  await sparse?.stop();
});

function sampleOne(pid: number): ProcessSample {
  const p = sampler.sample({ pids: [pid], mappings: true }).processes[0];
  if (!p) throw new Error(`process ${pid} missing from the sample`);
  return p;
}

describe('PROT_NONE mappings (root)', () => {
  it('never reads a reservation that holds nothing', () => {
    const p = sampleOne(sparse.pid);
    const rest = p.mappings!.find((m) => m.start === reserve + (TOUCHED_MIB << 20))!;
    expect(rest.perms).toBe('---p');
    expect(rest.counters.rssBytes).toBe(0);
    expect(sampler.lastStats.protNoneRereads).toBe(0);
    // The reservation alone is 16 Mi pagemap entries; everything else is far less.
    expect(sampler.lastStats.pagemapEntries).toBeLessThan((RESERVE_GIB * 2 ** 30) / PAGE_SIZE / 16);
    expect(p.totals.rssBytes / 1024).toBe(readRollup(sparse.pid)['Rss']);
  });

  it('counts pages made PROT_NONE after they were written, as smaps_rollup does', () => {
    const pid = hider.pid!;
    const p = sampleOne(pid);
    expect(sampler.lastStats.protNoneRereads).toBe(1);
    const m = p.mappings!.find((x) => x.start === hidden)!;
    expect(m.perms).toBe('---p');
    expect(m.counters.rssBytes).toBe(HIDDEN_MIB << 20);
    expect(m.counters.privateDirtyBytes).toBe(HIDDEN_MIB << 20);
    const kernel = readRollup(pid);
    expect(p.totals.rssBytes / 1024).toBe(kernel['Rss']);
    expect(Math.floor(pssBytes(p.totals) / 1024)).toBe(kernel['Pss']);
    expect(p.totals.privateDirtyBytes / 1024).toBe(kernel['Private_Dirty']);
    // Shown page by page (in focus), the PROT_NONE mapping is read in full from the start.
    const kept = sampler.sample({ pids: [pid], focusPid: pid }).processes[0]!;
    expect(sampler.lastStats.protNoneRereads).toBe(0);
    const keptMapping = kept.mappings!.find((x) => x.start === hidden)!;
    expect(keptMapping.counters).toEqual(m.counters);
    expect(keptMapping.pageEnd - keptMapping.pageBegin).toBe((HIDDEN_MIB << 20) / PAGE_SIZE);
  });
});
