import { formatBytes } from '../format/size.js';
import { sanitize } from '../format/text.js';
import type { ShareRow } from '../ui/state/shares-list.js';
import type { Column } from './table.js';

/**
 * The "shares the most with" view: SHARED counts distinct pages (what a user means by shared),
 * MAPPINGS the page-table entries that map them in the other process (what kpagecount counts).
 */
export const SHARE_COLUMNS: readonly Column<ShareRow>[] = [
  {
    id: 'pid',
    title: 'PID',
    width: 7,
    align: 'right',
    priority: 0,
    text: (r) => String(r.tally.pid),
  },
  {
    id: 'shared',
    title: 'SHARED',
    width: 10,
    align: 'right',
    priority: 0,
    text: (r) => formatBytes(r.tally.sharedBytes),
  },
  {
    id: 'mappings',
    title: 'MAPPINGS',
    width: 9,
    align: 'right',
    priority: 1,
    text: (r) => String(r.tally.mappings),
  },
  {
    id: 'relation',
    title: 'RELATION',
    width: 8,
    align: 'left',
    priority: 2,
    text: (r) => r.relation,
  },
  {
    id: 'command',
    title: 'COMMAND',
    width: 20,
    minWidth: 8,
    align: 'left',
    flex: true,
    priority: 0,
    text: (r) => sanitize(r.tally.comm),
  },
];
