/** Pure parsers of /proc text files: text in, typed data out. No I/O here. */
import { USER_SPACE_END } from '../model/address-space.js';
import type { MapsEntry } from '../model/types.js';

export interface StatFields {
  pid: number;
  comm: string;
  state: string;
  /** Null when unknown (a value no kernel writes, such as a negative one). */
  ppid: number | null;
  /** /proc/PID/stat field 9. */
  flags: number;
  /** Field 22: clock ticks since boot. */
  startTime: number;
}

/** Kernel threads carry PF_KTHREAD in their stat flags. */
export const PF_KTHREAD = 0x00200000;
/** Set as a process starts to exit, before its memory goes (exit_mm), and never cleared. */
export const PF_EXITING = 0x00000004;

/** A decimal number of at most 20 digits (what the kernel prints of a u64), else undefined. */
function parseDecimal(text: string | undefined): number | undefined {
  return text !== undefined && /^\d{1,20}$/.test(text) ? Number(text) : undefined;
}

/**
 * Parses /proc/PID/stat. comm sits between the first '(' and the last ')' and may itself hold
 * spaces and parentheses; everything after the last ')' is space-separated.
 */
export function parseStat(text: string): StatFields | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const pid = parseDecimal(text.slice(0, open).trim());
  const rest = text.slice(close + 2).split(' ');
  // rest[0] is field 3 (state), so field n is rest[n - 3].
  const state = rest[0];
  const startTime = parseDecimal(rest[19]);
  if (!state || pid === undefined || startTime === undefined) return undefined;
  // A negative ppid (or none) is unknown, not a process.
  const ppid = parseDecimal(rest[1]) ?? null;
  const flags = parseDecimal(rest[6]) ?? 0;
  return { pid, comm: text.slice(open + 1, close), state, ppid, flags, startTime };
}

/** The effective uid from /proc/PID/status ("Uid:\treal\teffective\tsaved\tfs"). */
export function parseStatusUid(text: string): number | undefined {
  const match = /^Uid:[ \t]+\d+[ \t]+(\d{1,10})(?!\d)/m.exec(text);
  const uid = match ? Number(match[1]) : undefined;
  return uid !== undefined && uid < 2 ** 32 ? uid : undefined;
}

/**
 * A number of /proc/PID/status ("Tgid:\t123", "VmRSS:\t  456 kB"); undefined when absent or
 * not a number the kernel writes. Status opens with Name:, so every field follows a newline.
 */
export function parseStatusNumber(text: string, name: string): number | undefined {
  const at = text.indexOf(`\n${name}:`);
  if (at < 0) return undefined;
  const from = at + name.length + 2;
  const match = /^[ \t]*(\d{1,20})(?!\d)/.exec(text.slice(from, from + 64));
  return match ? Number(match[1]) : undefined;
}

/** A "Name:   N kB" field of /proc/PID/status, in kB; undefined when absent. */
export function parseStatusKb(text: string, name: string): number | undefined {
  return parseStatusNumber(text, name);
}

/** Resident pages from /proc/PID/statm (second field). */
export function parseStatmResidentPages(text: string): number | undefined {
  return parseDecimal(text.split(' ', 2)[1]?.trim());
}

/** /proc/PID/cmdline: NUL-separated arguments; empty for kernel threads and zombies. */
export function parseCmdline(text: string): string {
  const trimmed = text.endsWith('\0') ? text.slice(0, -1) : text;
  return trimmed.replaceAll('\0', ' ');
}

/** The column where the kernel starts a maps path (show_map_vma pads the header to 72, then a space). */
const MAPS_PATH_COLUMN = 73;
/**
 * Addresses and offsets are u64 in hex (at most 16 digits), the inode a u64 in decimal. The
 * fields before the path are ASCII: "not a space" is ASCII white space here (\S would also
 * refuse U+00A0, U+2000… which UTF-8 text can hold), as in isSpaceCode.
 */
const HEADER =
  /^([0-9a-f]{1,16})-([0-9a-f]{1,16}) ([^\t-\r ]{4}) ([0-9a-f]{1,16}) ([^\t-\r ]+) (\d{1,20})(?![0-9])/;
/** Above user space only the kernel's gate area ([vsyscall], one page) is listed. */
const GATE_AREA_MAX_BYTES = 2 ** 16;
/** Mappings start and end on page boundaries: multiples of the smallest page size. */
const MIN_PAGE_SIZE = 4096;

/**
 * The range of a maps line is one the kernel writes: page-aligned, not empty, inside user space
 * or a gate area above it. Any other line is refused (a huge range would be read, or listed
 * page by page, without end).
 */
export function isMappingRange(start: number, end: number): boolean {
  if (!(start < end) || start % MIN_PAGE_SIZE !== 0 || end % MIN_PAGE_SIZE !== 0) return false;
  return end <= USER_SPACE_END || (start >= USER_SPACE_END && end - start <= GATE_AREA_MAX_BYTES);
}

/** Parses one maps (or smaps header) line; undefined when it is not one. */
export function parseMapsLine(line: string): MapsEntry | undefined {
  const m = HEADER.exec(line);
  if (!m) return undefined;
  const start = parseInt(m[1]!, 16);
  const end = parseInt(m[2]!, 16);
  if (!isMappingRange(start, end)) return undefined;
  const inodeEnd = m[0].length;
  // The path starts after the padding; it may itself begin with spaces, so cut by column.
  const pathStart = Math.max(inodeEnd + 2, MAPS_PATH_COLUMN);
  return {
    start,
    end,
    perms: m[3]!,
    offset: parseInt(m[4]!, 16),
    dev: m[5]!,
    inode: Number(m[6]),
    path: line.length > pathStart ? line.slice(pathStart) : '',
  };
}

/**
 * The address ranges of /proc/PID/maps, without building an object per line (20,000 mappings
 * are 20,000 lines). Lines are taken as parseMaps() takes them: a truncated or malformed line
 * is skipped (and a line whose range isMappingRange refuses), so index m is the same mapping in
 * both.
 */
export function parseMapsRanges(text: string): {
  count: number;
  start: Float64Array;
  end: Float64Array;
  /** 1 where the mapping is PROT_NONE (perms ---p or ---s). */
  protNone: Uint8Array;
} {
  let lines = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lines++;
  const start = new Float64Array(lines + 1);
  const end = new Float64Array(lines + 1);
  const protNone = new Uint8Array(lines + 1);
  let count = 0;
  let at = 0;
  while (at < text.length) {
    let nl = text.indexOf('\n', at);
    if (nl < 0) nl = text.length;
    if (nl > at && isMapsLine(text, at)) {
      let i = at;
      let a = 0;
      for (let c = text.charCodeAt(i); c !== 45; c = text.charCodeAt(++i)) a = a * 16 + hexDigit(c);
      let b = 0;
      for (let c = text.charCodeAt(++i); c !== 32; c = text.charCodeAt(++i))
        b = b * 16 + hexDigit(c);
      if (isMappingRange(a, b)) {
        start[count] = a;
        protNone[count] = text.startsWith('---', i + 1) ? 1 : 0;
        end[count++] = b;
      }
    }
    at = nl + 1;
  }
  return { count, start, end, protNone };
}

function hexDigit(c: number): number {
  return c <= 57 ? c - 48 : (c | 32) - 87;
}

const isHexCode = (c: number) => (c >= 48 && c <= 57) || (c >= 97 && c <= 102);
const isDigitCode = (c: number) => c >= 48 && c <= 57;
/** ASCII white space: what HEADER's fields may not hold. */
const isSpaceCode = (c: number) => c === 32 || (c >= 9 && c <= 13);

/**
 * The line starting at `from` is one parseMapsLine() accepts: HEADER matches at its start
 * (hex-hex, 4 non-space characters, hex, non-space characters, digits, each field followed by
 * one space), tested character by character rather than with a regex per line.
 */
export function isMapsLine(text: string, from: number): boolean {
  const end = text.length;
  let i = from;
  let start = i;
  while (i < end && isHexCode(text.charCodeAt(i))) i++;
  if (i === start || i - start > 16 || text.charCodeAt(i++) !== 45) return false;
  start = i;
  while (i < end && isHexCode(text.charCodeAt(i))) i++;
  if (i === start || i - start > 16 || text.charCodeAt(i++) !== 32) return false;
  for (let k = 0; k < 4; k++, i++) if (i >= end || isSpaceCode(text.charCodeAt(i))) return false;
  if (text.charCodeAt(i++) !== 32) return false;
  start = i;
  while (i < end && isHexCode(text.charCodeAt(i))) i++;
  if (i === start || i - start > 16 || text.charCodeAt(i++) !== 32) return false;
  start = i;
  while (i < end && !isSpaceCode(text.charCodeAt(i))) i++;
  if (i === start || text.charCodeAt(i++) !== 32) return false;
  start = i;
  while (i < end && isDigitCode(text.charCodeAt(i))) i++;
  return i > start && i - start <= 20;
}

/** Parses /proc/PID/maps. Truncated or malformed lines are skipped. */
export function parseMaps(text: string): MapsEntry[] {
  const entries: MapsEntry[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const entry = parseMapsLine(line);
    if (entry) entries.push(entry);
  }
  return entries;
}

/** The kB fields of one smaps block (or of smaps_rollup), in bytes. */
export type SmapsFields = Record<string, number>;

export interface SmapsBlock {
  entry: MapsEntry;
  fields: SmapsFields;
}

const FIELD = /^(\w+):\s+(\d{1,20}) kB$/;

/** Parses /proc/PID/smaps into one block per mapping; also reads smaps_rollup (one block). */
export function parseSmaps(text: string): SmapsBlock[] {
  const blocks: SmapsBlock[] = [];
  let current: SmapsBlock | undefined;
  for (const line of text.split('\n')) {
    const field = FIELD.exec(line);
    if (field) {
      if (current) current.fields[field[1]!] = Number(field[2]) * 1024;
      continue;
    }
    const entry = parseMapsLine(line);
    if (entry) {
      current = { entry, fields: {} };
      blocks.push(current);
    }
  }
  return blocks;
}

const AT_PAGESZ = 6n;

/**
 * AT_PAGESZ of an auxiliary vector (/proc/PID/auxv: pairs of native-endian u64, type then
 * value); undefined when absent. Any value: the caller judges it.
 */
export function parseAuxvPageSize(auxv: Uint8Array): bigint | undefined {
  // A copy of the whole words, in a buffer of its own (8-aligned, as the typed array needs).
  const words = new BigUint64Array(
    new Uint8Array(auxv.subarray(0, auxv.length - (auxv.length % 8))).buffer,
  );
  for (let i = 0; i + 1 < words.length; i += 2) {
    if (words[i] === AT_PAGESZ) return words[i + 1];
  }
  return undefined;
}

/** /proc/meminfo in bytes, keyed by name. */
export function parseMeminfo(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const m = /^([\w()]+):\s+(\d{1,20})( kB)?$/.exec(line);
    if (m) out[m[1]!] = Number(m[2]) * (m[3] ? 1024 : 1);
  }
  return out;
}

/** uid → name from /etc/passwd text. */
export function parsePasswd(text: string): Map<number, string> {
  const users = new Map<number, string>();
  for (const line of text.split('\n')) {
    const [name, , uid] = line.split(':');
    // A uid is below 2^32; a longer run of digits is no uid (and no safe integer).
    if (!name || uid === undefined || !/^\d{1,10}$/.test(uid)) continue;
    const id = Number(uid);
    if (id < 2 ** 32 && !users.has(id)) users.set(id, name);
  }
  return users;
}
