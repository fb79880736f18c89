import { pssBytes } from '../model/counters.js';
import type { SamplerCost } from '../model/sampler-cost.js';
import type { Snapshot, SystemTotals } from '../model/types.js';
import { formatBytes } from '../format/size.js';
import { formatClock, formatInterval, sanitize } from '../format/text.js';

/** What one line of the summary above a table says; the screen styles some kinds. */
export type HeaderLineKind = 'sample' | 'cost' | 'memory' | 'swap' | 'notice';

export interface HeaderLine {
  kind: HeaderLineKind;
  text: string;
  /** A cost line whose average is over the budget. */
  isOverBudget?: boolean;
}

/**
 * Where the summary goes: `screen`, the interactive view (local clock, the interval); `text`,
 * the text tables of `memtop snapshot` and batch frames (the date in UTC, for a log).
 */
export type HeaderStyle = { kind: 'screen'; intervalMs: number } | { kind: 'text' };

const percent = (p: number) => `${p < 10 ? p.toFixed(1) : p.toFixed(0)}%`;

/**
 * The sampler's own cost: "sampler 48 ms (CPU 61 ms), avg 3.2% of a core, budget 10%; pages
 * of 12 of 310 processes read". Over budget when the average exceeds it by a tenth.
 */
export function formatSamplerCost(cost: SamplerCost): { text: string; overBudget: boolean } {
  const parts = [`sampler ${cost.wallMs.toFixed(0)} ms (CPU ${cost.cpuMs.toFixed(0)} ms)`];
  const avg = cost.averagePercent;
  const budget = cost.budgetPercent;
  if (avg !== undefined) parts.push(`avg ${percent(avg)} of a core`);
  parts.push(budget === undefined ? 'no budget' : `budget ${percent(budget)}`);
  let text = parts.join(', ');
  if (cost.scanned < cost.processes)
    text += `; pages of ${cost.scanned} of ${cost.processes} processes read`;
  const overBudget = avg !== undefined && budget !== undefined && avg > budget * 1.1;
  return { text: overBudget ? `${text}  OVER BUDGET` : text, overBudget };
}

/**
 * Σ RSS, Σ PSS and what sharing saves, over the processes whose pages could be read: the
 * restricted ones left out are counted, never shown as zero.
 */
export function formatSums(t: SystemTotals): string {
  const sums =
    `Σ RSS ${formatBytes(t.rssBytes)}  Σ PSS ${formatBytes(pssBytes(t))}  ` +
    `sharing saves ${formatBytes(t.sharingSavesBytes)}`;
  const n = t.restrictedProcesses;
  return n > 0 ? `${sums} (${n} restricted process${n === 1 ? '' : 'es'} left out)` : sums;
}

/** host, kernel, time, interval, the sample's time (unless a cost line says it) and privilege. */
function sampleLine(snapshot: Snapshot, style: HeaderStyle, hasCost: boolean): string {
  const host = sanitize(snapshot.hostname);
  const kernel = sanitize(snapshot.kernel);
  const sample = hasCost ? '' : `sample ${snapshot.costMs.toFixed(0)} ms  `;
  if (style.kind === 'text') {
    const time = new Date(snapshot.timeMs).toISOString().replace('T', ' ').slice(0, 19);
    const mode = snapshot.privileged ? 'full per-page view' : 'limited view';
    return `memtop - ${host}  Linux ${kernel}  ${time} UTC  ${sample}${mode}`;
  }
  const mode = snapshot.privileged ? 'full per-page view' : 'limited view (no map counts)';
  return (
    `memtop ${formatClock(snapshot.timeMs)}  ${host}  Linux ${kernel}  ` +
    `every ${formatInterval(style.intervalMs)}  ${sample}${mode}`
  );
}

/**
 * The summary above a process table, on screen and in text alike: the sample line, the
 * sampler's cost (when measured: it then holds the sample's time), memory and the sums, swap
 * and THP where present (screen), and the notices.
 */
export function headerLines(
  snapshot: Snapshot,
  style: HeaderStyle,
  cost?: SamplerCost,
): HeaderLine[] {
  const isScreen = style.kind === 'screen';
  const lines: HeaderLine[] = [{ kind: 'sample', text: sampleLine(snapshot, style, !!cost) }];
  if (cost) {
    const { text, overBudget } = formatSamplerCost(cost);
    lines.push({ kind: 'cost', text, isOverBudget: overBudget });
  }
  const t = snapshot.totals;
  const memory = `${formatBytes(t.memTotalBytes)} total, ${formatBytes(t.memAvailableBytes)} available`;
  lines.push({
    kind: 'memory',
    text: isScreen ? `Mem ${memory}  ${formatSums(t)}` : `Mem: ${memory}   ${formatSums(t)}`,
  });
  const extra: string[] = [];
  if (isScreen && t.swapTotalBytes > 0) {
    extra.push(
      `Swap ${formatBytes(t.swapTotalBytes - t.swapFreeBytes)} used of ${formatBytes(t.swapTotalBytes)}`,
    );
  }
  if (isScreen && t.anonHugePagesBytes > 0) extra.push(`THP ${formatBytes(t.anonHugePagesBytes)}`);
  if (extra.length > 0) lines.push({ kind: 'swap', text: extra.join('  ') });
  for (const notice of snapshot.notices)
    lines.push({ kind: 'notice', text: isScreen ? `! ${notice}` : `note: ${notice}` });
  return lines;
}
