import { isAscii, isUtf8 } from 'node:buffer';

/**
 * The first of the 128 lone surrogates that stand for the bytes 0x80–0xFF of an invalid UTF-8
 * sequence (Python's "surrogateescape"): byte B becomes U+DC00 + B, so U+DC80–U+DCFF.
 */
export const ESCAPED_BYTE_BASE = 0xdc00;

/** UTF-16 code units of the slow path, reused (grown as needed) from one decode to the next. */
let units = new Uint16Array(1 << 12);

/**
 * Decodes /proc text (names, command lines, paths: bytes, to the kernel) as UTF-8 without
 * losing a byte: valid UTF-8 is decoded as such, and each byte of an invalid sequence becomes
 * the lone surrogate U+DC00 + byte, which outputs show as `\xNN` (text) or replace and keep
 * in a Base64 sibling (JSON). ASCII (nearly all of /proc) and valid UTF-8 are decoded by
 * Node's native code; only text with invalid bytes takes the loop below.
 */
export function decodeProcText(buffer: Buffer, start = 0, end = buffer.length): string {
  const view = start === 0 && end === buffer.length ? buffer : buffer.subarray(start, end);
  if (isAscii(view)) return buffer.toString('latin1', start, end);
  if (isUtf8(view)) return buffer.toString('utf8', start, end);
  return decodeEscaping(buffer, start, end);
}

/**
 * The slow path, a UTF-8 decoder in one pass into UTF-16 code units, turned into a string by
 * one native call (a string built piece by piece costs ~2 µs a piece: a second for a maps text
 * of 200,000 lines that each hold an invalid byte).
 */
function decodeEscaping(buffer: Buffer, start: number, end: number): string {
  if (units.length < end - start) units = new Uint16Array(Math.max(end - start, units.length * 2));
  const out = units;
  let n = 0;
  let i = start;
  while (i < end) {
    const b = buffer[i]!;
    if (b < 0x80) {
      out[n++] = b;
      i++;
      continue;
    }
    const c1 = i + 1 < end ? buffer[i + 1]! : 0;
    if (b >= 0xc2 && b <= 0xdf && (c1 & 0xc0) === 0x80) {
      out[n++] = ((b & 0x1f) << 6) | (c1 & 0x3f);
      i += 2;
      continue;
    }
    const c2 = i + 2 < end ? buffer[i + 2]! : 0;
    if (
      b >= 0xe0 &&
      b <= 0xef &&
      c1 >= (b === 0xe0 ? 0xa0 : 0x80) &&
      c1 <= (b === 0xed ? 0x9f : 0xbf) && // no overlong forms, no surrogates
      (c2 & 0xc0) === 0x80
    ) {
      out[n++] = ((b & 0x0f) << 12) | ((c1 & 0x3f) << 6) | (c2 & 0x3f);
      i += 3;
      continue;
    }
    const c3 = i + 3 < end ? buffer[i + 3]! : 0;
    if (
      b >= 0xf0 &&
      b <= 0xf4 &&
      c1 >= (b === 0xf0 ? 0x90 : 0x80) &&
      c1 <= (b === 0xf4 ? 0x8f : 0xbf) && // no overlong forms, nothing above U+10FFFF
      (c2 & 0xc0) === 0x80 &&
      (c3 & 0xc0) === 0x80
    ) {
      const cp = ((b & 0x07) << 18) | ((c1 & 0x3f) << 12) | ((c2 & 0x3f) << 6) | (c3 & 0x3f);
      out[n++] = 0xd7c0 + (cp >> 10); // (cp - 0x10000) >> 10 + 0xd800
      out[n++] = 0xdc00 | (cp & 0x3ff);
      i += 4;
      continue;
    }
    out[n++] = ESCAPED_BYTE_BASE + b;
    i++;
  }
  return Buffer.from(out.buffer, out.byteOffset, n * 2).toString('utf16le');
}
