import type { Mapping, ProcessSample, Snapshot } from '../model/types.js';
import { headerLines } from '../columns/header.js';
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

/** The process list's header: sample line, memory line, swap/THP line and notices where present. */
export function processHeader(
  snapshot: Snapshot | undefined,
  info: SamplingInfo,
  width: number,
  color: boolean,
): string[] {
  const paused = info.paused ? '  PAUSED' : '';
  const withPaused = (text: string) =>
    cutToWidth(text, Math.max(0, width - paused.length)) + paint(paused, STYLES.paused, color);
  if (!snapshot) {
    const p = info.progress;
    return [
      withPaused(`memtop  every ${formatInterval(info.intervalMs)}`),
      cutToWidth(
        p ? `sampling /proc: ${p.done} of ${p.total} processes read…` : 'sampling /proc…',
        width,
      ),
    ];
  }
  const style = { kind: 'screen', intervalMs: info.intervalMs } as const;
  return headerLines(snapshot, style, info.cost).map((line) => {
    switch (line.kind) {
      case 'sample':
        return withPaused(line.text);
      case 'notice':
        return paint(cutToWidth(line.text, width), STYLES.notice, color);
      case 'cost':
        return line.isOverBudget
          ? paint(cutToWidth(line.text, width), STYLES.notice, color)
          : cutToWidth(line.text, width);
      default:
        return cutToWidth(line.text, width);
    }
  });
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
