import type { CgroupName } from './group-types.js';

/** A container id: 64 hex digits (docker, containerd, podman all use such ids). */
const ID = '([0-9a-f]{64})';
/** htop and docker ps show the first 12 hex digits of an id. */
const SHORT_ID_LENGTH = 12;

/** Path component shapes, the runtime they belong to and where the id is. */
const COMPONENT_SHAPES: readonly { shape: RegExp; runtime: NonNullable<CgroupName['runtime']> }[] =
  [
    { shape: new RegExp(`^docker-${ID}\\.scope$`), runtime: 'docker' },
    { shape: new RegExp(`^cri-containerd-${ID}\\.scope$`), runtime: 'containerd' },
    { shape: new RegExp(`^crio-${ID}\\.scope$`), runtime: 'containerd' },
    { shape: new RegExp(`^libpod-${ID}\\.scope$`), runtime: 'podman' },
  ];

/** A kubepods pod component: `pod<uid>` (cgroupfs driver) or `kubepods-…-pod<uid>.slice` (systemd). */
const POD =
  /^(?:kubepods(?:-[a-z]+)*-)?pod([0-9a-f]{8}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{12})(?:\.slice)?$/;
const BARE_ID = new RegExp(`^${ID}$`);
const UNIT = /^[^/]+\.(?:service|scope)$/;

/**
 * What a cgroup path says of its owner: a container (docker `docker-<id>.scope` or
 * `/docker/<id>`, containerd/cri `kubepods…/pod<uid>/<id>` or `cri-containerd-<id>.scope`,
 * podman `libpod-<id>.scope`) and the systemd unit (`*.service`, `*.scope`) nearest the leaf.
 * The deepest container component wins (a container inside a unit is the container's).
 */
export function parseCgroupName(path: string): CgroupName {
  const parts = path.split('/').filter((p) => p !== '');
  const name: CgroupName = {};
  let isKube = false;
  parts.forEach((part, i) => {
    if (part.startsWith('kubepods')) isKube = true;
    const pod = POD.exec(part);
    if (pod && isKube) name.podUid = pod[1]!.replace(/_/g, '-');
    for (const { shape, runtime } of COMPONENT_SHAPES) {
      const m = shape.exec(part);
      if (m) setContainer(name, runtime, m[1]!);
    }
    if (BARE_ID.test(part)) {
      const parent = parts[i - 1] ?? '';
      if (parent === 'docker') setContainer(name, 'docker', part);
      else if (isKube && POD.test(parent)) setContainer(name, 'containerd', part);
      else if (parent === 'libpod_parent' || parent.startsWith('libpod')) {
        setContainer(name, 'podman', part);
      }
    }
    if (UNIT.test(part)) name.unit = part;
  });
  return name;
}

function setContainer(name: CgroupName, runtime: CgroupName['runtime'], id: string): void {
  name.runtime = runtime;
  name.containerId = id.slice(0, SHORT_ID_LENGTH);
}
