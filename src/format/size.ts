import { cutToWidth, padToWidth } from './width.js';

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'] as const;

/**
 * Bytes in binary units with three significant digits: "0 B", "812 KiB", "12.4 MiB", "1.20 GiB".
 * NaN (unknown) is "-". `signed` prefixes + for positive values, for change columns.
 */
export function formatBytes(bytes: number, options: { signed?: boolean } = {}): string {
  if (Number.isNaN(bytes)) return '-';
  if (!Number.isFinite(bytes))
    throw new TypeError(`Expected a finite number of bytes, got ${bytes}`);
  const sign = bytes < 0 ? '-' : options.signed && bytes > 0 ? '+' : '';
  let value = Math.abs(bytes);
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  const digits = unit === 0 || value >= 100 ? 0 : value >= 10 ? 1 : 2;
  let text = value.toFixed(digits);
  if (Number(text) >= 1024 && unit < UNITS.length - 1) {
    text = (value / 1024).toFixed(2);
    unit++;
  }
  return `${sign}${text} ${UNITS[unit]}`;
}

/** An address or offset as JSON, CSV and the page map write it: 0x, then lower-case hex. */
export function formatHex(n: number | bigint): string {
  return `0x${n.toString(16)}`;
}

/** An address as the kernel prints it in maps: lower-case hex, at least 8 digits. */
export function formatAddress(address: number): string {
  return address.toString(16).padStart(8, '0');
}

/**
 * Pads or cuts sanitized text to exactly `width` terminal columns (wide characters count 2; a
 * wide character that does not fit whole leaves a space).
 */
export function fit(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  if (width <= 0) return '';
  return padToWidth(cutToWidth(text, width), width, align);
}
