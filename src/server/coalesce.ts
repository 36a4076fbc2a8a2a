/**
 * Identical reads that arrive together share one query, and no caller is answered from a query
 * that began before it arrived.
 *
 * A read for a key with no query of it running starts one. A read that arrives while one runs
 * waits for the *next* query of that key, which starts when the running one ends and serves every
 * read that arrived in between. So each caller gets what a query begun after its arrival saw:
 * every write committed before the request arrived, as if it had queried alone (read-your-writes
 * holds, across processes too), at the cost of waiting for at most one query already under way.
 * Under N concurrent identical reads the database sees about two queries instead of N.
 *
 * Callers must not mutate what they get: it is shared.
 */
export function coalescer<T>() {
  const states = new Map<string, { running: Promise<T>; next?: Promise<T> | undefined }>();

  const start = (key: string, load: () => Promise<T>): Promise<T> => {
    const running = load().finally(() => {
      const state = states.get(key);
      if (state?.running === running && state.next === undefined) states.delete(key);
    });
    const state = states.get(key);
    if (state) state.running = running;
    else states.set(key, { running });
    return running;
  };

  return {
    read(key: string, load: () => Promise<T>): Promise<T> {
      const state = states.get(key);
      if (!state) return start(key, load);
      state.next ??= state.running
        .then(
          () => undefined,
          () => undefined,
        )
        .then(() => {
          state.next = undefined;
          return start(key, load);
        });
      return state.next;
    },
    /** Keys with a query running or waiting (for tests). */
    get size(): number {
      return states.size;
    },
  };
}
