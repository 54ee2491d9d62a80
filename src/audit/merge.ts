/**
 * Merges several time-ordered streams into one, opening each stream only when the merge
 * reaches its first timestamp. Rotated audit logs barely overlap, so in practice one file is
 * open at a time, while logs of several API servers (which do overlap) still interleave
 * correctly. Pure.
 */

/** A stream the merge can open later; every item is at or after `firstKey`. */
export interface TimedSource<T> {
  firstKey: number;
  open(): AsyncIterator<T>;
}

interface Head<T> {
  key: number;
  order: number;
  item: T;
  iter: AsyncIterator<T>;
}

/** A binary min-heap on (key, order): ties keep the sources' order. */
class HeadHeap<T> {
  private readonly items: Head<T>[] = [];

  get size(): number {
    return this.items.length;
  }

  peek(): Head<T> | undefined {
    return this.items[0];
  }

  private less(a: Head<T>, b: Head<T>): boolean {
    return a.key < b.key || (a.key === b.key && a.order < b.order);
  }

  push(head: Head<T>): void {
    const items = this.items;
    items.push(head);
    for (let i = items.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (!this.less(items[i] as Head<T>, items[parent] as Head<T>)) break;
      [items[i], items[parent]] = [items[parent] as Head<T>, items[i] as Head<T>];
      i = parent;
    }
  }

  pop(): Head<T> | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length === 0 || last === undefined) return top;
    items[0] = last;
    for (let i = 0; ; ) {
      const l = 2 * i + 1;
      const r = l + 1;
      let min = i;
      if (l < items.length && this.less(items[l] as Head<T>, items[min] as Head<T>)) min = l;
      if (r < items.length && this.less(items[r] as Head<T>, items[min] as Head<T>)) min = r;
      if (min === i) break;
      [items[i], items[min]] = [items[min] as Head<T>, items[i] as Head<T>];
      i = min;
    }
    return top;
  }
}

/**
 * Yields the items of all sources in order of `keyOf`. Items within one source keep their
 * order; the merge is exact when each source is itself ordered. Closes what it opened when
 * the consumer stops early.
 */
export async function* mergeByTime<T>(sources: readonly TimedSource<T>[], keyOf: (item: T) => number): AsyncGenerator<T> {
  const pending = sources.map((source, order) => ({ source, order })).sort((a, b) => a.source.firstKey - b.source.firstKey || a.order - b.order);
  const heap = new HeadHeap<T>();
  // Every opened, unfinished iterator, including one whose item is being yielded.
  const open = new Set<AsyncIterator<T>>();
  let next = 0;
  const pull = async (iter: AsyncIterator<T>, order: number) => {
    const r = await iter.next();
    if (r.done) open.delete(iter);
    else heap.push({ key: keyOf(r.value), order, item: r.value, iter });
  };
  const openNext = async () => {
    const { source, order } = pending[next++] as (typeof pending)[number];
    const iter = source.open();
    open.add(iter);
    await pull(iter, order);
  };
  try {
    for (;;) {
      if (heap.size === 0) {
        if (next >= pending.length) return;
        await openNext();
        continue;
      }
      // A source starting at or before the current head could hold something earlier: open it.
      const headKey = (heap.peek() as Head<T>).key;
      if (next < pending.length && (pending[next]?.source.firstKey ?? Infinity) <= headKey) {
        await openNext();
        continue;
      }
      const head = heap.pop() as Head<T>;
      yield head.item;
      await pull(head.iter, head.order);
    }
  } finally {
    await Promise.all([...open].map((iter) => iter.return?.()));
  }
}
