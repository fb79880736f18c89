import type { ProcessSample } from './types.js';

/** One line of the process tree. */
export interface TreeRow {
  process: ProcessSample;
  /** 0 for a process whose parent is not listed. */
  depth: number;
  /** Whether a later sibling follows this process under the same parent. */
  hasNextSibling: boolean;
  /** For each ancestor level 1..depth-1: whether that ancestor has a later sibling (a rail continues). */
  rails: boolean[];
}

/**
 * Orders processes as a tree by parent, keeping the given order among siblings (so a sorted
 * list gives a tree sorted within each family). A parent must have started no later than its
 * child, so a reused pid never adopts an older process; cycles cannot form.
 */
export function computeTree(ordered: readonly ProcessSample[]): TreeRow[] {
  const byPid = new Map<number, ProcessSample>();
  for (const p of ordered) byPid.set(p.pid, p);
  const children = new Map<number, ProcessSample[]>();
  const roots: ProcessSample[] = [];
  for (const p of ordered) {
    const parent = p.ppid !== null && p.ppid !== p.pid ? byPid.get(p.ppid) : undefined;
    if (parent && parent.startTime <= p.startTime && parent !== p) {
      const list = children.get(parent.pid);
      if (list) list.push(p);
      else children.set(parent.pid, [p]);
    } else {
      roots.push(p);
    }
  }
  const rows: TreeRow[] = [];
  const seen = new Set<ProcessSample>();
  // Iterative depth-first walk: process trees can be deep, the stack must not be.
  const stack: {
    process: ProcessSample;
    depth: number;
    hasNextSibling: boolean;
    rails: boolean[];
  }[] = [];
  const pushSiblings = (list: readonly ProcessSample[], depth: number, rails: boolean[]) => {
    for (let i = list.length - 1; i >= 0; i--) {
      stack.push({ process: list[i]!, depth, hasNextSibling: i < list.length - 1, rails });
    }
  };
  pushSiblings(roots, 0, []);
  while (stack.length > 0) {
    const item = stack.pop()!;
    if (seen.has(item.process)) continue;
    seen.add(item.process);
    rows.push(item);
    const kids = children.get(item.process.pid);
    if (kids) {
      const rails = item.depth === 0 ? [] : [...item.rails, item.hasNextSibling];
      pushSiblings(kids, item.depth + 1, rails);
    }
  }
  return rows;
}
