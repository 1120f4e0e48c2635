import type { EmbedOptions, Embedder } from "../ports/embedder.js";
import { wrapPort } from "./wrap-port.js";

interface Pending {
  texts: string[];
  tenant: string | undefined;
  resolve: (vectors: number[][]) => void;
  reject: (error: unknown) => void;
}

/**
 * Coalesces concurrent embed calls: calls arriving within `windowMs` of the first share one
 * request per tenant to `embedder` (up to its `maxInputsPerCall` texts; per tenant so usage is
 * attributed), and each caller gets its own vectors back. Meant for query embeddings, where many
 * single-text calls arrive together. A call of `maxInputsPerCall` texts or more goes alone.
 */
export function createCoalescingEmbedder(embedder: Embedder, options: { windowMs: number } = { windowMs: 3 }): Embedder {
  let queue: Pending[] = [];
  let queuedTexts = 0;
  let timer: NodeJS.Timeout | null = null;

  return wrapPort(embedder, {
    embed: (next) => {
      const send = (group: Pending[], tenant: string | undefined) => {
        // No caller's signal aborts the shared request: one caller leaving must not fail the others.
        next(
          group.flatMap((pending) => pending.texts),
          { tenant },
        ).then(
          (vectors) => {
            let offset = 0;
            for (const pending of group) {
              pending.resolve(vectors.slice(offset, offset + pending.texts.length));
              offset += pending.texts.length;
            }
          },
          (error: unknown) => group.forEach((pending) => pending.reject(error)),
        );
      };
      const flush = () => {
        if (timer) clearTimeout(timer);
        timer = null;
        const batch = queue;
        queue = [];
        queuedTexts = 0;
        const byTenant = new Map<string | undefined, Pending[]>();
        for (const pending of batch) byTenant.set(pending.tenant, [...(byTenant.get(pending.tenant) ?? []), pending]);
        for (const [tenant, group] of byTenant) send(group, tenant);
      };
      return (texts: string[], embedOptions: EmbedOptions = {}) => {
        embedOptions.signal?.throwIfAborted();
        if (texts.length === 0) return Promise.resolve([]);
        // A batch that would overflow the limit goes first; an oversized call goes alone.
        if (queuedTexts + texts.length > embedder.maxInputsPerCall) flush();
        if (texts.length >= embedder.maxInputsPerCall) return next(texts, embedOptions);
        return new Promise<number[][]>((resolve, reject) => {
          queue.push({ texts, tenant: embedOptions.tenant, resolve, reject });
          queuedTexts += texts.length;
          timer ??= setTimeout(flush, options.windowMs);
        });
      };
    },
  });
}
