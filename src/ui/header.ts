import { pssBytes } from '../model/counters.js';
import type { Mapping, ProcessSample, Snapshot, SystemTotals } from '../model/types.js';
import type { SampleProgress, SamplerCost } from '../store/contract.js';
import { STYLES, paint } from './style.js';
import { formatAddress, formatBytes } from '../format/size.js';
import { formatClock, formatInterval, sanitize } from '../format/text.js';
import { cutToWidth } from '../format/width.js';

/** What the header says about sampling besides the snapshot. */
export interface SamplingInfo {
  intervalMs: number;
  paused: boolean;
  progress: SampleProgress | undefined;
  /** The sampler's own cost, when the session measures it. */
  cost?: SamplerCost | undefined;
}

function firstLine(snapshot: Snapshot | undefined, info: SamplingInfo): string {
  if (!snapshot) return `memtop  every ${formatInterval(info.intervalMs)}`;
  const mode = snapshot.privileged ? 'full per-page view' : 'limited view (no map counts)';
  // With the cost measured, the sample's time moves to the sampler line.
  const sample = info.cost ? '' : `sample ${snapshot.costMs.toFixed(0)} ms  `;
  return (
    `memtop ${formatClock(snapshot.timeMs)}  ${sanitize(snapshot.hostname)}  Linux ${sanitize(snapshot.kernel)}  ` +
    `every ${formatInterval(info.intervalMs)}  ${sample}${mode}`
  );
}

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

/** The process list's header: sample line, memory line, swap/THP line and notices where present. */
export function processHeader(
  snapshot: Snapshot | undefined,
  info: SamplingInfo,
  width: number,
  color: boolean,
): string[] {
  const paused = info.paused ? '  PAUSED' : '';
  const first = cutToWidth(firstLine(snapshot, info), Math.max(0, width - paused.length));
  const lines = [first + paint(paused, STYLES.paused, color)];
  if (!snapshot) {
    const p = info.progress;
    lines.push(p ? `sampling /proc: ${p.done} of ${p.total} processes read…` : 'sampling /proc…');
    return lines.map((l, i) => (i === 0 ? l : cutToWidth(l, width)));
  }
  if (info.cost) {
    const { text, overBudget } = formatSamplerCost(info.cost);
    lines.push(
      overBudget ? paint(cutToWidth(text, width), STYLES.notice, color) : cutToWidth(text, width),
    );
  }
  const t = snapshot.totals;
  lines.push(
    cutToWidth(
      `Mem ${formatBytes(t.memTotalBytes)} total, ${formatBytes(t.memAvailableBytes)} available  ` +
        formatSums(t),
      width,
    ),
  );
  const extra: string[] = [];
  if (t.swapTotalBytes > 0) {
    extra.push(
      `Swap ${formatBytes(t.swapTotalBytes - t.swapFreeBytes)} used of ${formatBytes(t.swapTotalBytes)}`,
    );
  }
  if (t.anonHugePagesBytes > 0) extra.push(`THP ${formatBytes(t.anonHugePagesBytes)}`);
  if (extra.length > 0) lines.push(cutToWidth(extra.join('  '), width));
  for (const notice of snapshot.notices)
    lines.push(paint(cutToWidth(`! ${notice}`, width), STYLES.notice, color));
  return lines;
}

/** The mapping view's header: which process, and the sample. */
export function mappingHeader(
  process: ProcessSample,
  snapshot: Snapshot,
  info: SamplingInfo,
  summary: string,
  width: number,
  color: boolean,
): string[] {
  const command = sanitize(process.cmdline || `[${process.comm}]`);
  const paused = info.paused ? '  PAUSED' : '';
  const second =
    `${summary}  ·  ${formatClock(snapshot.timeMs)}  every ${formatInterval(info.intervalMs)}  ` +
    `sample ${snapshot.costMs.toFixed(0)} ms`;
  return [
    cutToWidth(`PID ${process.pid}  ${sanitize(process.user)}  ${command}`, width),
    cutToWidth(second, Math.max(0, width - paused.length)) + paint(paused, STYLES.paused, color),
  ];
}

/** The page map's header: which mapping, its size, and the zoom. */
export function pageMapHeader(
  process: ProcessSample,
  m: Mapping,
  pageCount: number,
  zoom: { pagesPerCell: number; fits: boolean },
  info: SamplingInfo,
  width: number,
  color: boolean,
): string[] {
  const path = m.path === '' ? '[anon]' : sanitize(m.path);
  const c = m.counters;
  const perCell =
    zoom.pagesPerCell === 1 ? '1 page per cell' : `${zoom.pagesPerCell} pages per cell`;
  const paused = info.paused ? '  PAUSED' : '';
  const second =
    `${pageCount} pages (${formatBytes(m.end - m.start)})  zoom: ${perCell}${zoom.fits ? ' (all)' : ''}  ` +
    `USS ${formatBytes(c.ussBytes)}  SHARED ${formatBytes(c.sharedBytes)}  RSS ${formatBytes(c.rssBytes)}  ` +
    `SWAP ${formatBytes(c.swapBytes)}`;
  return [
    cutToWidth(
      `PID ${process.pid} ${sanitize(process.comm)}  ${formatAddress(m.start)}-${formatAddress(m.end)} ${m.perms} ${path}`,
      width,
    ),
    cutToWidth(second, Math.max(0, width - paused.length)) + paint(paused, STYLES.paused, color),
  ];
}
