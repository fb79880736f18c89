import { computeLibraries } from '../model/libraries.js';
import type { Snapshot } from '../model/types.js';
import type { Sampler } from '../sampler/sampler.js';
import { formatJson } from '../format/json-text.js';
import { formatLibraries, librariesToJson } from '../output/libs.js';
import { GivenPids } from './given-pids.js';

export interface LibsArgs {
  json: boolean;
  pids?: number[];
  limit?: number;
  /** Also list each process under each file. */
  users: boolean;
}

/**
 * Writes one row per mapped file across all processes: who maps it, Σ RSS, Σ PSS, private
 * pages. A restricted process given with -p has no mappings to show: it counts as not shown.
 */
export function runLibraries(sampler: Sampler, args: LibsArgs, write: (text: string) => void) {
  const given = GivenPids.check(sampler, args.pids);
  const snapshot = sampler.sample({ pids: given.pids, mappings: true });
  given.settle(sampler, snapshot, { restrictedShown: false });
  write(renderLibraries(snapshot, args));
  given.finish();
}

/** The libraries of a sample, as text or JSON. */
export function renderLibraries(snapshot: Snapshot, args: LibsArgs): string {
  const all = computeLibraries(snapshot.processes);
  const libs = args.limit === undefined ? all : all.slice(0, args.limit);
  if (args.json) {
    return (
      formatJson({
        time: new Date(snapshot.timeMs).toISOString(),
        privileged: snapshot.privileged,
        libraries: librariesToJson(libs),
      }) + '\n'
    );
  }
  return formatLibraries(libs, args.users);
}
