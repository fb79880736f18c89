import { sanitize } from '../format/text.js';
import type { ShareTally } from '../model/sharers.js';
import { sizeText } from './counter-column.js';
import type { Column } from './table.js';

/** How another process is related to the one whose sharing is shown. */
export type Relation = 'parent' | 'child' | 'sibling' | '';

/** One process sharing pages with the subject. */
export interface ShareRow {
  /** pid:startTime */
  key: string;
  tally: ShareTally;
  relation: Relation;
}

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
    text: (r) => sizeText(r.tally.sharedBytes),
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
