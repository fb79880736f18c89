import { describe, expect, it } from 'vitest';
import { emptyCounters } from '../../src/model/counters.js';
import type { Group } from '../../src/model/group-types.js';
import { formatGroupsCsv, formatGroupsTable, groupToJson } from '../../src/output/groups.js';
import { PSS_SHIFT } from '../../src/model/types.js';
import { snapshot } from '../helpers/synthetic.js';

const MiB = 1024 * 1024;

function group(extra: Partial<Group>): Group {
  const counters = emptyCounters();
  counters.rssBytes = 10 * MiB;
  counters.pssFixed = 6 * MiB * 2 ** PSS_SHIFT + 5; // a fraction of a byte: rounded down
  counters.swapBytes = MiB;
  return {
    kind: 'cgroup',
    key: '/system.slice/web.service',
    label: '/system.slice/web.service',
    pids: [10, 11],
    counters,
    unknownProcesses: 0,
    exclusive: {
      rssBytes: 4 * MiB,
      anonBytes: 3 * MiB,
      fileBytes: MiB,
      shmemBytes: 0,
      cleanBytes: MiB,
      dirtyBytes: 3 * MiB,
    },
    sharedOutBytes: 6 * MiB,
    sharesWith: [
      { key: '/other', sharedBytes: 5 * MiB },
      { key: null, sharedBytes: MiB },
    ],
    name: { unit: 'web.service' },
    cgroup: {
      version: 2,
      path: '/system.slice/web.service',
      usageBytes: 20 * MiB,
      limitBytes: null,
    },
    ...extra,
  };
}

const unknown = group({
  key: '/docker/' + 'a'.repeat(64),
  label: '/docker/' + 'a'.repeat(64),
  exclusive: null,
  sharedOutBytes: null,
  sharesWith: [],
  name: { runtime: 'docker', containerId: 'aaaaaaaaaaaa' },
  cgroup: undefined,
});

describe('groups rendered', () => {
  it('JSON: bytes, PSS rounded once, exclusive and sharedOut null when unknown, limit "max"', () => {
    expect(groupToJson(group({}))).toMatchObject({
      key: '/system.slice/web.service',
      kind: 'cgroup',
      unit: 'web.service',
      processes: 2,
      rss: 10 * MiB,
      pss: 6 * MiB,
      swap: MiB,
      exclusive: { rss: 4 * MiB, anon: 3 * MiB, file: MiB, shmem: 0, clean: MiB, dirty: 3 * MiB },
      sharedOut: 6 * MiB,
      sharesWith: [
        { key: '/other', shared: 5 * MiB },
        { key: null, shared: MiB },
      ],
      cgroup: { version: 2, usage: 20 * MiB, limit: 'max' },
    });
    const json = groupToJson(unknown);
    expect(json).toMatchObject({
      containerId: 'aaaaaaaaaaaa',
      runtime: 'docker',
      exclusive: null,
      sharedOut: null,
    });
    expect(json).not.toHaveProperty('cgroup');
  });

  it('table: "?" for what is unknown (never 0 B), the container id beside the path', () => {
    const text = formatGroupsTable(snapshot([]), [group({}), unknown]);
    const lines = text.split('\n');
    const title = lines.findIndex((l) => l.includes('ALONE-ANON'));
    expect(lines[title]).toMatch(
      /PROCS +RSS +PSS +SWAP +ALONE +ALONE-ANON +SHARED-OUT +CHARGED +LIMIT GROUP/,
    );
    expect(lines[title + 1]!.trim().split(/ +/)).toEqual([
      '2',
      '10.0',
      'MiB',
      '6.00',
      'MiB',
      '1.00',
      'MiB',
      '4.00',
      'MiB',
      '3.00',
      'MiB',
      '6.00',
      'MiB',
      '20.0',
      'MiB',
      'max',
      '/system.slice/web.service',
    ]);
    expect(lines[title + 2]).toMatch(
      / \? +\? +\? +\? +\? \/docker\/a{64} \[docker aaaaaaaaaaaa\]$/,
    );
  });

  it('CSV: a row per group, unknown cells empty', () => {
    const [head, first, second] = formatGroupsCsv([group({}), unknown]).split('\n');
    expect(head).toBe(
      'kind,key,label,containerId,processes,rss,pss,swap,exclusiveRss,exclusiveAnon,exclusiveFile,exclusiveShmem,exclusiveClean,exclusiveDirty,sharedOut,cgroupUsage,cgroupLimit',
    );
    expect(first).toBe(
      `cgroup,/system.slice/web.service,/system.slice/web.service,,2,${10 * MiB},${6 * MiB},${MiB},${4 * MiB},${3 * MiB},${MiB},0,${MiB},${3 * MiB},${6 * MiB},${20 * MiB},max`,
    );
    expect(second).toBe(
      `cgroup,/docker/${'a'.repeat(64)},/docker/${'a'.repeat(64)},aaaaaaaaaaaa,2,${10 * MiB},${6 * MiB},${MiB},,,,,,,,,`,
    );
  });
});
