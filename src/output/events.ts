import type { PageEvent } from '../model/changes.js';
import { formatBytes } from '../format/size.js';
import { sanitize } from '../format/text.js';

const VERBS: Record<PageEvent['kind'], string> = {
  cowBreaks: 'became private-dirty (copy-on-write)',
  becamePrivate: 'became private',
  becameShared: 'became shared',
  unsharedByOthers: 'stopped being shared by others',
  swappedOut: 'swapped out',
  swappedIn: 'swapped in',
  faultedIn: 'became resident',
  freed: 'was freed',
};

/** "postgres 4211: 12.4 MiB became private-dirty (copy-on-write) in [heap]". */
export function formatEvent(e: PageEvent, pageSize: number): string {
  const where = sanitize(e.path) || `[anon ${e.start.toString(16)}]`;
  return `${sanitize(e.comm)} ${e.pid}: ${formatBytes(e.pages * pageSize)} ${VERBS[e.kind]} in ${where}`;
}

/** The events block of a batch frame: a title line, then one line per event. */
export function formatEvents(
  events: readonly PageEvent[],
  pageSize: number,
  intervalMs: number,
): string[] {
  const title = `Page changes in the last ${(intervalMs / 1000).toFixed(1)} s:`;
  if (events.length === 0) return [title, '  none'];
  return [title, ...events.map((e) => `  ${formatEvent(e, pageSize)}`)];
}
