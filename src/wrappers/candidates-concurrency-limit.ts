import { wrapPort } from "./wrap-port.js";
import type { VectorStore } from "../ports/vector-store.js";

/**
 * Lets at most `maxConcurrent` `candidates` calls run in the store at once; the rest wait in arrival
 * order. An embedded engine runs each query on thread pools inside this process, so many concurrent
 * queries oversubscribe the CPUs and stretch every query; queueing the surplus keeps the tail short.
 * A call that fails frees its slot like one that succeeds. Other calls pass through.
 */
export function createCandidatesConcurrencyLimit(store: VectorStore, options: { maxConcurrent: number }): VectorStore {
  const run = createConcurrencyLimit(options.maxConcurrent);
  return wrapPort(store, { candidates: (next) => (request) => run(() => next(request)) });
}

/** A function that runs tasks with at most `limit` in flight, starting waiting tasks in arrival order. */
export function createConcurrencyLimit(limit: number): <T>(task: () => Promise<T>) => Promise<T> {
  if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError("concurrency limit must be an integer >= 1");
  let active = 0;
  const waiting: Array<() => void> = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (active < limit) active += 1;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await task();
    } finally {
      // The slot passes straight to the next waiter, so `active` only drops when nobody waits.
      const next = waiting.shift();
      if (next) next();
      else active -= 1;
    }
  };
}
