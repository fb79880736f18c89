/**
 * npm run bench:decode: what decoding /proc text costs, on a maps text of 200,000 lines (the
 * mapping count memtop is held to): the latin1 decode memtop once used, against
 * decodeProcText (UTF-8, invalid bytes kept as escapes) on the same text when it is all ASCII,
 * when some paths are UTF-8, and when some hold invalid bytes; with the parse of the result
 * (parseMapsRanges + parseMaps, at most 5 runs) for scale. Medians of --runs N (default 15)
 * rounds.
 */
import { performance } from 'node:perf_hooks';
import { decodeProcText } from '../src/sampler/decode-text.js';
import { parseMaps, parseMapsRanges } from '../src/sampler/parse-proc.js';
import { fmtMs, median } from './measure.js';

const LINES = 200_000;
const at = process.argv.indexOf('--runs');
const runs = at > 0 ? Number(process.argv[at + 1]) : 15;
if (!(runs > 0)) throw new Error('--runs takes a positive number');

/** A maps text of LINES lines; every `every`-th path gets `odd` (bytes) in its name. */
function mapsText(odd: Buffer | undefined, every: number): Buffer {
  const parts: Buffer[] = [];
  for (let i = 0; i < LINES; i++) {
    const start = (0x7f0000000000 + i * 0x2000).toString(16);
    const end = (0x7f0000001000 + i * 0x2000).toString(16);
    const head = `${start}-${end} r--p 00000000 fe:00 ${260000 + i}`.padEnd(72) + ' ';
    const name = Buffer.from(`/usr/lib/x86_64-linux-gnu/libexample-${i % 97}.so.6`);
    parts.push(Buffer.from(head));
    parts.push(odd && i % every === 0 ? Buffer.concat([name, odd]) : name);
    parts.push(Buffer.from('\n'));
  }
  return Buffer.concat(parts);
}

function time(fn: () => unknown): number {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

const cases = [
  { name: 'ASCII', text: mapsText(undefined, 1) },
  { name: 'UTF-8 in 1 line of 100', text: mapsText(Buffer.from('-café-進程'), 100) },
  { name: 'invalid bytes in 1 of 1000', text: mapsText(Buffer.from([0x62, 0xff, 0xfe]), 1000) },
  { name: 'invalid bytes in every line', text: mapsText(Buffer.from([0xff]), 1) },
];

console.log(`maps text of ${LINES} lines, medians of ${runs} runs (ms)`);
console.log(
  `${'text'.padEnd(28)} ${'MiB'.padStart(5)} ${'latin1'.padStart(8)} ${'decode'.padStart(8)} ${'parse'.padStart(8)}`,
);
for (const { name, text } of cases) {
  const latin1: number[] = [];
  const decoded: number[] = [];
  const parsed: number[] = [];
  // Each decode in a loop of its own: one allocating 22 MB strings pays for collecting those of
  // the one before it, so interleaved runs would charge each with the other's garbage.
  let before = '';
  for (let r = 0; r < runs; r++) latin1.push(time(() => (before = text.toString('latin1'))));
  let after = '';
  for (let r = 0; r < runs; r++) decoded.push(time(() => (after = decodeProcText(text))));
  if (before.length < after.length) throw new Error('decoded text longer than its bytes');
  // The parse makes much garbage: timed apart, so that its collections fall in its own runs.
  for (let r = 0; r < Math.min(runs, 5); r++) {
    parsed.push(time(() => (parseMapsRanges(after), parseMaps(after))));
  }
  console.log(
    `${name.padEnd(28)} ${(text.length / 2 ** 20).toFixed(1).padStart(5)} ${fmtMs(median(latin1)).padStart(8)} ${fmtMs(median(decoded)).padStart(8)} ${fmtMs(median(parsed)).padStart(8)}`,
  );
}
