/**
 * Runs a suspect job (one that was in flight when a worker died) alone in this worker, so a job that
 * kills its process does not count a crash against the jobs that happened to run beside it:
 * - a suspect waits for the handlers already running here to finish, and while it runs the worker
 *   fetches nothing more (`setAlone(true)` lowers its concurrency to 1);
 * - a job that arrives while a suspect runs or waits is sent back to waiting at once (`sendBack`),
 *   for another worker or for later. The worker may have fetched jobs that have not reached a
 *   handler yet, so the suspect starts only once nothing arrived for `settleMs`.
 */
export class CrashIsolation {
  private running = 0;
  private arrivals = 0;
  private isolated = false;
  private waiters: Array<() => void> = [];

  constructor(
    private readonly setAlone: (alone: boolean) => void,
    private readonly settleMs = 50,
  ) {}

  /** Runs `work`, alone when `suspect`; resolves with `sendBack()`'s result instead when another job runs alone. */
  async run<T>(suspect: boolean, work: () => Promise<T>, sendBack: () => Promise<T>): Promise<T> {
    this.running += 1;
    this.arrivals += 1;
    try {
      if (this.isolated) return await sendBack();
      if (!suspect) return await work();
      this.isolated = true;
      this.setAlone(true);
      try {
        for (let arrived = this.arrivals; ; arrived = this.arrivals) {
          while (this.running > 1) await new Promise<void>((resolve) => this.waiters.push(resolve));
          await new Promise((resolve) => setTimeout(resolve, this.settleMs));
          if (this.running === 1 && this.arrivals === arrived) break;
        }
        return await work();
      } finally {
        this.isolated = false;
        this.setAlone(false);
      }
    } finally {
      this.running -= 1;
      for (const wake of this.waiters.splice(0)) wake();
    }
  }
}
