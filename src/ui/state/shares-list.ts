import type { Relation, ShareRow } from '../../columns/share-columns.js';
import { processKey } from '../../model/delta.js';
import type { SharingReport } from '../../model/sharing-report.js';
import type { ProcessInfo, Snapshot } from '../../model/types.js';
import type { ScreenId } from '../screens/index.js';
import { emptySortedList, refreshSortedList, type SortedList } from './sorted-list.js';

/** The "shares the most with" view of one process. */
export interface SharesState {
  /** The process whose sharing is shown, by value. */
  subject: Pick<ProcessInfo, 'pid' | 'startTime'> | undefined;
  /** Where Esc returns to. */
  returnTo: ScreenId;
  list: SortedList<ShareRow>;
}

export const INITIAL_SHARES: SharesState = {
  subject: undefined,
  returnTo: 'processes',
  list: emptySortedList<ShareRow>('shared'),
};

/** The view of one process's sharing, opened from `returnTo`. */
export function sharesOf(
  subject: Pick<ProcessInfo, 'pid' | 'startTime'>,
  returnTo: ScreenId,
): SharesState {
  return { ...INITIAL_SHARES, subject, returnTo };
}

function relationOf(
  subject: Pick<ProcessInfo, 'pid' | 'ppid'> | undefined,
  other: Pick<ProcessInfo, 'pid' | 'ppid'> | undefined,
): Relation {
  if (!subject || !other) return '';
  if (other.pid === subject.ppid) return 'parent';
  if (other.ppid === subject.pid) return 'child';
  return subject.ppid !== null && other.ppid === subject.ppid && subject.ppid > 1 ? 'sibling' : '';
}

/** The rows of the report about the subject, as the report ranks them (largest first). */
export function deriveShareRows(
  state: SharesState,
  report: SharingReport | undefined,
  snapshot: Snapshot | undefined,
): ShareRow[] {
  const s = state.subject;
  if (!s || !report || report.pid !== s.pid || report.startTime !== s.startTime) return [];
  const byKey = new Map((snapshot?.processes ?? []).map((p) => [processKey(p), p]));
  const subject = byKey.get(processKey(s));
  return report.sharesWith.map((tally) => ({
    key: processKey(tally),
    tally,
    relation: relationOf(subject, byKey.get(processKey(tally))),
  }));
}

export function refreshShares(
  state: SharesState,
  report: SharingReport | undefined,
  snapshot: Snapshot | undefined,
  nowMs: number,
  pageRows: number,
): SharesState {
  const rows = deriveShareRows(state, report, snapshot);
  return { ...state, list: refreshSortedList(state.list, rows, nowMs, pageRows) };
}
