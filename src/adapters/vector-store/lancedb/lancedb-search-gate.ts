/**
 * Lets at most `limit` searches run in the embedded engine at once; the rest wait in arrival order.
 * LanceDB runs each query on its own thread pools inside this process, so many concurrent queries
 * oversubscribe the CPUs and stretch every query; queueing the surplus keeps the tail short.
 */
export class LanceDbSearchGate {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly limit: number) {
    if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError("LanceDbSearchGate limit must be an integer >= 1");
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active < this.limit) this.active += 1;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await task();
    } finally {
      // The slot passes straight to the next waiter, so `active` only drops when nobody waits.
      const next = this.waiting.shift();
      if (next) next();
      else this.active -= 1;
    }
  }
}
