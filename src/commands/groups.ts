import { UsageError } from '../errors.js';
import { GROUP_KINDS, type Group, type GroupKind } from '../model/group-types.js';
import { residentPfns } from '../model/group-charges.js';
import { computeGroups } from '../model/groups.js';
import type { Snapshot } from '../model/types.js';
import { formatJson } from '../format/json-text.js';
import { formatGroupsCsv, formatGroupsTable, groupToJson } from '../output/groups.js';
import { snapshotToJson } from '../output/json.js';
import type { GroupSource } from '../sampler/cgroups.js';
import type { Sampler } from '../sampler/sampler.js';
import { GivenPids } from './given-pids.js';
import { selectProcesses, type SnapshotArgs } from './snapshot.js';

/** --group: how processes are grouped. */
export function parseGroupKind(value: unknown): GroupKind {
  if ((GROUP_KINDS as readonly unknown[]).includes(value)) return value as GroupKind;
  throw new UsageError(`--group expects one of ${GROUP_KINDS.join(', ')}; got "${String(value)}"`);
}

/** One sample with its pages kept (as root: the group-exclusive counts need every PFN), grouped. */
export function sampleGroups(
  sampler: Sampler,
  source: GroupSource,
  kind: GroupKind,
  request: { pids?: readonly number[]; mappings: boolean },
): { snapshot: Snapshot; groups: Group[] } {
  const snapshot = sampler.sample({ ...request, pages: sampler.privileged });
  const read = source.read(
    snapshot.processes.map((p) => p.pid),
    kind === 'cgroup',
  );
  snapshot.notices.push(...read.notices);
  const pageCgroup =
    kind === 'cgroup' && snapshot.privileged
      ? source.readPageCgroups(residentPfns(snapshot.processes))
      : undefined;
  const groups = computeGroups(kind, {
    snapshot,
    facts: read.facts,
    cgroups: read.cgroups,
    cgroupInodes: read.cgroupInodes,
    ...(pageCgroup ? { pageCgroup } : {}),
  });
  return { snapshot, groups };
}

/** `snapshot --group KIND`: the groups, then (JSON) the processes beside them. */
export function runGroupSnapshot(
  sampler: Sampler,
  source: GroupSource,
  kind: GroupKind,
  args: SnapshotArgs,
  write: (text: string) => void,
): void {
  const given = GivenPids.check(sampler, args.pids);
  const { snapshot, groups } = sampleGroups(sampler, source, kind, {
    pids: given.pids,
    mappings: args.mappings,
  });
  given.settle(sampler, snapshot);
  const shown = args.limit === undefined ? groups : groups.slice(0, args.limit);
  if (args.format === 'json') {
    const processes = selectProcesses(snapshot, args.sort);
    const doc = snapshotToJson(snapshot, processes, { mappings: args.mappings });
    write(formatJson({ ...doc, groupBy: kind, groups: shown.map(groupToJson) }) + '\n');
  } else if (args.format === 'csv') {
    write(formatGroupsCsv(shown));
  } else {
    write(formatGroupsTable(snapshot, shown));
  }
  given.finish();
}
