/**
 * Runs the table's writes (commits, deletes, index builds, optimize) one at a time in arrival order:
 * LanceDB commits are optimistic, so concurrent writers of one table would conflict and retry.
 */
export class LanceDbWriteLock {
  private tail: Promise<unknown> = Promise.resolve();

  /** Runs `task` after every task queued before it; settles with the task's outcome. */
  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task, task);
    this.tail = result.catch(() => undefined);
    return result;
  }

  /** Resolves once every task queued so far (and any queued meanwhile) has settled. */
  async idle(): Promise<void> {
    let seen: Promise<unknown>;
    do {
      seen = this.tail;
      await seen;
    } while (seen !== this.tail);
  }
}
