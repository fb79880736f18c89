import { computeLibraries } from '../model/libraries.js';
import type { Sampler } from '../sampler/sampler.js';
import { formatLibraries, formatLibrariesJson } from '../output/libs.js';
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
  const all = computeLibraries(snapshot.processes);
  const libs = args.limit === undefined ? all : all.slice(0, args.limit);
  write(args.json ? formatLibrariesJson(snapshot, libs) : formatLibraries(libs, args.users));
  given.finish();
}
