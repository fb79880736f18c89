// A reference model of copy-on-write: which physical copy of each page every process holds, so
// tests can say exactly what the kernel must show after forks and writes.

export interface PageView {
  /** A symbolic PFN: processes holding the same id share one physical page. */
  id: number;
  count: number;
}

export class CowModel {
  /** ids[process][page] */
  private readonly ids = new Map<number, number[]>();
  private nextId: number;

  constructor(root: number, pages: number) {
    this.ids.set(
      root,
      Array.from({ length: pages }, (_, p) => p),
    );
    this.nextId = pages;
  }

  fork(parent: number, child: number): void {
    this.ids.set(child, [...this.ids.get(parent)!]);
  }

  exit(process: number): void {
    this.ids.delete(process);
  }

  /** A write to a page shared with others gives the writer its own copy. */
  write(process: number, first: number, count: number): void {
    const mine = this.ids.get(process)!;
    for (let p = first; p < first + count; p++) {
      if (this.count(mine[p]!) >= 2) mine[p] = this.nextId++;
    }
  }

  count(id: number): number {
    let n = 0;
    for (const ids of this.ids.values()) for (const x of ids) if (x === id) n++;
    return n;
  }

  /** The state of every page of one process. */
  view(process: number): PageView[] {
    const counts = new Map<number, number>();
    for (const ids of this.ids.values())
      for (const x of ids) counts.set(x, (counts.get(x) ?? 0) + 1);
    return this.ids.get(process)!.map((id) => ({ id, count: counts.get(id)! }));
  }

  /** Processes that hold the same physical page as `process` does at `page`. */
  holders(process: number, page: number): number[] {
    const id = this.ids.get(process)![page]!;
    return [...this.ids.entries()].filter(([, ids]) => ids[page] === id).map(([pid]) => pid);
  }
}

export interface ExpectedChanges {
  cowBreaks: number;
  unsharedByOthers: number;
  becameShared: number;
  moved: number;
}

/** What memtop must report for one process between two views of its pages. */
export function expectedChanges(before: PageView[], after: PageView[]): ExpectedChanges {
  const out = { cowBreaks: 0, unsharedByOthers: 0, becameShared: 0, moved: 0 };
  before.forEach((b, p) => {
    const a = after[p]!;
    if (a.id === b.id) {
      if (b.count >= 2 && a.count === 1) out.unsharedByOthers++;
      else if (b.count === 1 && a.count >= 2) out.becameShared++;
    } else if (b.count >= 2 && a.count === 1) out.cowBreaks++;
    else if (b.count === 1 && a.count >= 2) out.becameShared++;
    else out.moved++;
  });
  return out;
}
