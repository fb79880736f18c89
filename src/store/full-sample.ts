import type { Snapshot } from '../model/types.js';
import type { SampleRequest } from '../sampler/sampler.js';

/** The last full sample, and what it was sampled with: the store keeps it in one place. */
export interface FullSample {
  snapshot: Snapshot;
  /** Every process's pages were kept (root: PFNs and map counts; or asked for, see keepPages). */
  hasPages: boolean;
  /** Every readable process's mappings were kept. */
  hasMappings: boolean;
}

/** A part of a full sample without the pages (and, unless asked, mappings) of any process but the focused one. */
export function withoutPages(part: Snapshot, request: SampleRequest): Snapshot {
  const processes = part.processes.map((p) => {
    if (p.pid === request.focusPid) return p;
    const { pages: _pages, mappings, ...rest } = p;
    return request.mappings ? { ...rest, mappings } : rest;
  });
  return { ...part, processes };
}

/** The snapshot with a notice that page tracking across all processes is off for its size. */
export function withTrackingNotice(snapshot: Snapshot, limit: number): Snapshot {
  if (!snapshot.privileged || !snapshot.processes.length) return snapshot;
  const notice =
    `more than ${limit.toLocaleString('en')} resident pages: ` +
    `copy-on-write and sharing changes are tracked for the focused process only ` +
    `(--track-pages sets the limit)`;
  return { ...snapshot, notices: [...snapshot.notices, notice] };
}
