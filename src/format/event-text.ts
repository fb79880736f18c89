import type { PageEvent } from '../model/changes.js';
import { formatBytes } from './size.js';
import { sanitize } from './text.js';

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
