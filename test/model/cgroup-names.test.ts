import { describe, expect, it } from 'vitest';
import { parseCgroupName } from '../../src/model/cgroup-names.js';

const ID = '4f1d2c3b5a697887a6b5c4d3e2f10123456789abcdef0123456789abcdef0123';
const SHORT = '4f1d2c3b5a69';
const POD = '8e1d4c2a-1b2c-4d5e-8f90-a1b2c3d4e5f6';

describe('container ids and units in cgroup paths', () => {
  it.each([
    [
      `/system.slice/docker-${ID}.scope`,
      { runtime: 'docker', containerId: SHORT, unit: `docker-${ID}.scope` },
    ],
    [`/docker/${ID}`, { runtime: 'docker', containerId: SHORT }],
    [
      `/kubepods/burstable/pod${POD}/${ID}`,
      { runtime: 'containerd', containerId: SHORT, podUid: POD },
    ],
    [
      `/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod${POD.replace(/-/g, '_')}.slice/cri-containerd-${ID}.scope`,
      {
        runtime: 'containerd',
        containerId: SHORT,
        podUid: POD,
        unit: `cri-containerd-${ID}.scope`,
      },
    ],
    [
      `/machine.slice/libpod-${ID}.scope/container`,
      { runtime: 'podman', containerId: SHORT, unit: `libpod-${ID}.scope` },
    ],
    ['/system.slice/nginx.service', { unit: 'nginx.service' }],
    ['/user.slice/user-1000.slice/session-3.scope', { unit: 'session-3.scope' }],
    ['/', {}],
    [`/elsewhere/${ID}`, {}],
  ])('%s', (path, name) => {
    expect(parseCgroupName(path)).toEqual(name);
  });
});
