/**
 * Groups rendered: JSON (the `groups` array of `snapshot --group --json`, docs/JSON.md), a
 * text table and CSV. State in, text out.
 */
import { pssBytes } from '../model/counters.js';
import type { CgroupCounters, ExclusiveCounters, Group } from '../model/group-types.js';
import type { Snapshot } from '../model/types.js';
import { fit, formatBytes } from '../format/size.js';
import { sanitize } from '../format/text.js';
import { countersToJson } from './json.js';
import { formatHeader } from './table.js';

function exclusiveToJson(e: ExclusiveCounters) {
  return {
    rss: e.rssBytes,
    anon: e.anonBytes,
    file: e.fileBytes,
    shmem: e.shmemBytes,
    clean: e.cleanBytes,
    dirty: e.dirtyBytes,
  };
}

/** The kernel's counters of a cgroup in JSON: bytes; `limit` is "max" when there is none. */
function cgroupToJson(c: CgroupCounters) {
  const optional = {
    swap: c.swapBytes,
    memsw: c.memswBytes,
    oomEvents: c.oomEvents,
    oomKills: c.oomKills,
    underOom: c.isUnderOom,
    anon: c.anonBytes,
    file: c.fileBytes,
    fileMapped: c.fileMappedBytes,
    shmem: c.shmemBytes,
    kernel: c.kernelBytes,
    slab: c.slabBytes,
    kernelStack: c.kernelStackBytes,
    pageTables: c.pageTablesBytes,
  };
  return {
    version: c.version,
    path: c.path,
    usage: c.usageBytes,
    limit: c.limitBytes ?? 'max',
    ...Object.fromEntries(Object.entries(optional).filter(([, v]) => v !== undefined)),
    ...(c.pressure ? { pressure: c.pressure } : {}),
  };
}

/** One group as JSON: sizes in bytes, unknown figures null. */
export function groupToJson(g: Group) {
  return {
    key: g.key,
    kind: g.kind,
    label: g.label,
    ...(g.name?.containerId ? { containerId: g.name.containerId } : {}),
    ...(g.name?.runtime ? { runtime: g.name.runtime } : {}),
    ...(g.name?.podUid ? { podUid: g.name.podUid } : {}),
    ...(g.name?.unit ? { unit: g.name.unit } : {}),
    ...(g.parentKey !== undefined ? { parentKey: g.parentKey } : {}),
    ...(g.v2Path !== undefined ? { v2Path: g.v2Path } : {}),
    processes: g.pids.length,
    pids: g.pids,
    unknownProcesses: g.unknownProcesses,
    ...countersToJson(g.counters),
    exclusive: g.exclusive ? exclusiveToJson(g.exclusive) : null,
    sharedOut: g.sharedOutBytes,
    sharesWith: g.sharesWith.map((s) => ({ key: s.key, shared: s.sharedBytes })),
    ...(g.charge !== undefined
      ? {
          charge: g.charge && {
            mappedChargedElsewhere: g.charge.mappedChargedElsewhereBytes,
            chargedMappedByOthers: g.charge.chargedMappedByOthersBytes,
          },
        }
      : {}),
    ...(g.cgroup ? { cgroup: cgroupToJson(g.cgroup) } : {}),
  };
}

const SIZE_WIDTH = 10;
const COUNT_WIDTH = 5;

const size = (bytes: number | null | undefined): string =>
  fit(bytes === null || bytes === undefined ? '?' : formatBytes(bytes), SIZE_WIDTH, 'right');

/** What the text table calls a group: container id, unit, label. */
function nameOf(g: Group): string {
  const parts = [sanitize(g.label)];
  if (g.name?.containerId) parts.push(`[${g.name.runtime ?? 'container'} ${g.name.containerId}]`);
  if (g.kind === 'tree') parts[0] = `${sanitize(g.label)} ${g.key}`;
  return parts.join(' ');
}

/**
 * The groups as a table under the usual header: Σ RSS, Σ PSS, Σ swap, what each holds alone
 * (ALONE, its anonymous part: what stopping the group frees), what it shares with other
 * groups, and for cgroups the kernel's charge and limit.
 */
export function formatGroupsTable(snapshot: Snapshot, groups: readonly Group[]): string {
  const isCgroup = groups.some((g) => g.kind === 'cgroup');
  const title = [
    fit('PROCS', COUNT_WIDTH, 'right'),
    ...['RSS', 'PSS', 'SWAP', 'ALONE', 'ALONE-ANON', 'SHARED-OUT'].map((t) =>
      fit(t, SIZE_WIDTH, 'right'),
    ),
    ...(isCgroup ? ['CHARGED', 'LIMIT'].map((t) => fit(t, SIZE_WIDTH, 'right')) : []),
    'GROUP',
  ].join(' ');
  const rows = groups.map((g) =>
    [
      fit(String(g.pids.length), COUNT_WIDTH, 'right'),
      size(g.counters.rssBytes),
      size(pssBytes(g.counters)),
      size(g.counters.swapBytes),
      size(g.exclusive?.rssBytes),
      size(g.exclusive?.anonBytes),
      size(g.sharedOutBytes),
      ...(isCgroup
        ? [
            size(g.cgroup?.usageBytes),
            g.cgroup && g.cgroup.limitBytes === null
              ? fit('max', SIZE_WIDTH, 'right')
              : size(g.cgroup?.limitBytes),
          ]
        : []),
      nameOf(g),
    ].join(' '),
  );
  const grouping = groups[0]
    ? `grouped by ${groups[0].kind}: ${groups.length} groups`
    : 'no groups';
  const lines = [...formatHeader(snapshot), grouping, '', title, ...rows];
  return lines.join('\n') + '\n';
}

/** CSV: a row per group, sizes in bytes, unknown figures empty. */
export function formatGroupsCsv(groups: readonly Group[]): string {
  const header = [
    'kind',
    'key',
    'label',
    'containerId',
    'processes',
    'rss',
    'pss',
    'swap',
    'exclusiveRss',
    'exclusiveAnon',
    'exclusiveFile',
    'exclusiveShmem',
    'exclusiveClean',
    'exclusiveDirty',
    'sharedOut',
    'cgroupUsage',
    'cgroupLimit',
  ];
  const rows = groups.map((g) => {
    const e = g.exclusive;
    return [
      g.kind,
      g.key,
      g.label,
      g.name?.containerId ?? null,
      g.pids.length,
      g.counters.rssBytes,
      pssBytes(g.counters),
      g.counters.swapBytes,
      e?.rssBytes ?? null,
      e?.anonBytes ?? null,
      e?.fileBytes ?? null,
      e?.shmemBytes ?? null,
      e?.cleanBytes ?? null,
      e?.dirtyBytes ?? null,
      g.sharedOutBytes,
      g.cgroup?.usageBytes ?? null,
      g.cgroup ? (g.cgroup.limitBytes ?? 'max') : null,
    ];
  });
  return [header, ...rows].map((cells) => cells.map(csvCell).join(',')).join('\n') + '\n';
}

/** A CSV cell as output/csv.ts writes them: text sanitized, formulas defused, RFC 4180 quotes. */
function csvCell(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  const text = sanitize(value);
  if (/^[=+\-@\t\r]/.test(text)) return `"'${text.replaceAll('"', '""')}"`;
  return /[",]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
