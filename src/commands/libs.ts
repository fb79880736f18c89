import { computeLibraries } from '../model/libraries.js';
import type { Sampler } from '../sampler/sampler.js';
import { formatJson } from '../ui/format/json-text.js';
import { formatLibraries, librariesToJson } from '../ui/format/libs.js';
import { checkPids } from './snapshot.js';

export interface LibsArgs {
  json: boolean;
  pids?: number[];
  limit?: number;
  /** Also list each process under each file. */
  users: boolean;
}

/** One row per mapped file across all processes: who maps it, Σ RSS, Σ PSS, private pages. */
export function renderLibraries(sampler: Sampler, args: LibsArgs): string {
  checkPids(sampler, args.pids);
  const snapshot = sampler.sample({ pids: args.pids, mappings: true });
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
