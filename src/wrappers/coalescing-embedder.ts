import type { EmbedOptions, Embedder } from "../ports/embedder.js";

interface Pending {
  texts: string[];
  tenant: string | undefined;
  resolve: (vectors: number[][]) => void;
  reject: (error: unknown) => void;
}

/**
 * Coalesces concurrent embed calls: calls arriving within `windowMs` of the first share one
 * request per tenant to the inner embedder (up to its `maxBatchSize` texts; per tenant so usage is
 * attributed), and each caller gets its own vectors back. Meant for query embeddings, where many
 * single-text calls arrive together.
 */
export class CoalescingEmbedder implements Embedder {
  private queue: Pending[] = [];
  private queuedTexts = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly inner: Embedder,
    private readonly options: { windowMs: number } = { windowMs: 3 },
  ) {}

  get modelId(): string {
    return this.inner.modelId;
  }
  get dimension(): number {
    return this.inner.dimension;
  }
  get maxBatchSize(): number {
    return this.inner.maxBatchSize;
  }

  embed(texts: string[], options: EmbedOptions = {}): Promise<number[][]> {
    options.signal?.throwIfAborted();
    if (texts.length === 0) return Promise.resolve([]);
    // A batch that would overflow the inner limit goes first; an oversized call goes alone.
    if (this.queuedTexts + texts.length > this.inner.maxBatchSize) this.flush();
    if (texts.length >= this.inner.maxBatchSize) return this.inner.embed(texts, options);
    return new Promise((resolve, reject) => {
      this.queue.push({ texts, tenant: options.tenant, resolve, reject });
      this.queuedTexts += texts.length;
      this.timer ??= setTimeout(() => this.flush(), this.options.windowMs);
    });
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.queue;
    this.queue = [];
    this.queuedTexts = 0;
    if (batch.length === 0) return;
    const byTenant = new Map<string | undefined, Pending[]>();
    for (const pending of batch) byTenant.set(pending.tenant, [...(byTenant.get(pending.tenant) ?? []), pending]);
    for (const [tenant, group] of byTenant) this.send(group, tenant);
  }

  private send(group: Pending[], tenant: string | undefined): void {
    // No caller's signal aborts the shared request: one caller leaving must not fail the others.
    this.inner
      .embed(
        group.flatMap((pending) => pending.texts),
        { tenant },
      )
      .then(
        (vectors) => {
          let offset = 0;
          for (const pending of group) {
            pending.resolve(vectors.slice(offset, offset + pending.texts.length));
            offset += pending.texts.length;
          }
        },
        (error: unknown) => group.forEach((pending) => pending.reject(error)),
      );
  }
}
