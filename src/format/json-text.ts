/**
 * JSON text of memtop's documents. Strings from /proc may hold bytes that are not UTF-8 (kept
 * as lone surrogates, see decodeProcText), which JSON.stringify would write as `\udcNN`
 * escapes: text no UTF-8 reader can decode. Here each such string is made valid (U+FFFD for
 * each invalid byte) and, in an object, followed by a sibling `<field>Base64` holding the raw
 * bytes; DEL and the C1 controls, which JSON.stringify leaves raw, are escaped.
 */

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const LONE_SURROGATES = new RegExp(LONE_SURROGATE.source, 'g');
const RAW_CONTROLS = /[\u007f-\u009f]/g;

/** The suffix of the sibling field that holds a string's raw bytes. */
export const RAW_BYTES_SUFFIX = 'Base64';

/** `value` as one line of JSON (see the module comment); no trailing newline. */
export function formatJson(value: unknown): string {
  let text = JSON.stringify(value);
  // Well-formed JSON.stringify writes a lone surrogate as a \ud8xx–\udfff escape; only then
  // (or for a string holding a backslash and "ud") is the document walked.
  if (text.includes('\\ud')) text = JSON.stringify(value, withRawBytes);
  return text.replace(RAW_CONTROLS, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A JSON.stringify replacer: strings made valid; in objects, a raw-bytes sibling after each. */
function withRawBytes(_key: string, value: unknown): unknown {
  if (typeof value === 'string') return validText(value);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const fields = Object.entries(value as Record<string, unknown>);
  if (!fields.some(([, v]) => typeof v === 'string' && LONE_SURROGATE.test(v))) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of fields) {
    out[k] = v;
    if (typeof v === 'string' && LONE_SURROGATE.test(v)) {
      out[k] = validText(v);
      out[k + RAW_BYTES_SUFFIX] = rawBytesBase64(v);
    }
  }
  return out;
}

/** `text` with each lone surrogate (an invalid byte) replaced by U+FFFD. */
export function validText(text: string): string {
  return text.replace(LONE_SURROGATES, '\ufffd');
}

/**
 * The bytes a decoded string came from, in Base64: UTF-8 for its characters, byte B for each
 * escaped byte U+DC00 + B (any other lone surrogate as U+FFFD's bytes).
 */
export function rawBytesBase64(text: string): string {
  let binary = '';
  for (let i = 0; i < text.length; i++) {
    let cp = text.charCodeAt(i);
    if (cp >= 0xd800 && cp <= 0xdbff) {
      const low = text.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
        i++;
      } else cp = 0xfffd;
    } else if (cp >= 0xdc80 && cp <= 0xdcff) {
      binary += String.fromCharCode(cp - 0xdc00);
      continue;
    } else if (cp >= 0xdc00 && cp <= 0xdfff) cp = 0xfffd;
    if (cp < 0x80) binary += String.fromCharCode(cp);
    else if (cp < 0x800) binary += String.fromCharCode(0xc0 | (cp >> 6), 0x80 | (cp & 0x3f));
    else if (cp < 0x10000)
      binary += String.fromCharCode(
        0xe0 | (cp >> 12),
        0x80 | ((cp >> 6) & 0x3f),
        0x80 | (cp & 0x3f),
      );
    else
      binary += String.fromCharCode(
        0xf0 | (cp >> 18),
        0x80 | ((cp >> 12) & 0x3f),
        0x80 | ((cp >> 6) & 0x3f),
        0x80 | (cp & 0x3f),
      );
  }
  return btoa(binary);
}
