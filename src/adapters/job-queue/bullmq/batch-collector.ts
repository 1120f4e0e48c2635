interface Pending<TItem, TResult> {
  item: TItem;
  arrivedAt: number;
  resolve: (result: TResult) => void;
  reject: (error: unknown) => void;
}

/**
 * Gathers items handed over one at a time (BullMQ gives a worker one job per processor call; its
 * open-source edition has no batches) into batches of at most `batchSize`, at most `concurrency`
 * batches running at once. A batch is formed when a batch slot is free and either `batchSize` items
 * wait or the oldest has waited `windowMs`; items arriving while every slot is busy wait for the
 * next batch, which thus grows with the backlog. Each `submit` resolves with its own item's result.
 */
export class BatchCollector<TItem, TResult> {
  private readonly pending: Array<Pending<TItem, TResult>> = [];
  private running = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly runBatch: (items: TItem[]) => Promise<TResult[]>,
    private readonly options: { batchSize: number; concurrency: number; windowMs: number },
  ) {}

  submit(item: TItem): Promise<TResult> {
    return new Promise<TResult>((resolve, reject) => {
      this.pending.push({ item, arrivedAt: Date.now(), resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    while (this.running < this.options.concurrency && this.pending.length > 0) {
      const waitMs = this.pending[0]!.arrivedAt + this.options.windowMs - Date.now();
      if (this.pending.length < this.options.batchSize && waitMs > 0) {
        this.timer ??= setTimeout(() => {
          this.timer = null;
          this.schedule();
        }, waitMs);
        return;
      }
      this.start(this.pending.splice(0, this.options.batchSize));
    }
  }

  private start(batch: Array<Pending<TItem, TResult>>): void {
    this.running += 1;
    this.runBatch(batch.map((entry) => entry.item))
      .then(
        (results) => batch.forEach((entry, index) => entry.resolve(results[index] as TResult)),
        (error: unknown) => batch.forEach((entry) => entry.reject(error)),
      )
      .finally(() => {
        this.running -= 1;
        this.schedule();
      });
  }
}
