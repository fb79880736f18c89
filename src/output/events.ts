import type { PageEvent } from '../model/changes.js';
import { formatEvent } from '../format/event-text.js';

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
