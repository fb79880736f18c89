import type { ProcessSample } from './types.js';

/** What the process list is narrowed to; empty strings match everything. */
export interface ProcessFilter {
  /** Case-insensitive substring of the name (comm) or the command line. */
  text: string;
  /** A user name or a numeric uid, matched exactly. */
  user: string;
}

export const NO_FILTER: ProcessFilter = { text: '', user: '' };

/** True when the filter lets every process through. */
export function isEmptyFilter(filter: ProcessFilter): boolean {
  return filter.text === '' && filter.user === '';
}

/** The processes the filter lets through, in their given order. */
export function filterProcesses(
  processes: readonly ProcessSample[],
  filter: ProcessFilter,
): ProcessSample[] {
  if (isEmptyFilter(filter)) return [...processes];
  const text = filter.text.toLowerCase();
  const user = filter.user;
  return processes.filter((p) => {
    if (user !== '' && p.user !== user && String(p.uid) !== user) return false;
    if (text === '') return true;
    return p.comm.toLowerCase().includes(text) || p.cmdline.toLowerCase().includes(text);
  });
}
