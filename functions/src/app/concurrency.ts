// Bounded concurrency for work over many independent items: planner entries, import rows.

/**
 * Runs `work` on every item, at most `limit` at once. Items are pulled as work completes, so a paged
 * source (a table listing) is read no faster than it is worked through. The first failure stops new
 * work and is rethrown once the work already started has ended.
 */
export async function forEachConcurrently<T>(
  items: Iterable<T> | AsyncIterable<T>,
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  const source: Iterator<T> | AsyncIterator<T> = isAsyncIterable(items)
    ? items[Symbol.asyncIterator]()
    : items[Symbol.iterator]();
  let failure: { error: unknown } | null = null;
  let exhausted = false;
  const worker = async () => {
    while (failure === null && !exhausted) {
      let next: IteratorResult<T>;
      try {
        next = await source.next();
      } catch (error) {
        failure ??= { error };
        return;
      }
      if (next.done) {
        exhausted = true;
        return;
      }
      try {
        await work(next.value);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.floor(limit)) }, worker));
  if (failure !== null) {
    if (!exhausted) await source.return?.();
    throw (failure as { error: unknown }).error;
  }
}

function isAsyncIterable<T>(items: Iterable<T> | AsyncIterable<T>): items is AsyncIterable<T> {
  return Symbol.asyncIterator in items;
}
