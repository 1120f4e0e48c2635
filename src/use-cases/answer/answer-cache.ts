import { createHash } from "node:crypto";
import type { KeyValue } from "../../ports/key-value.js";
import type { Passage } from "../../core/answer/passages.js";
import { type Logger } from "../../ports/logger.js";

/** What a cached answer holds: enough to rebuild the response without a model call. */
export interface CachedAnswer {
  answer: string;
  /** Passage numbers (1-based, into the hits the key was built from). */
  citations: number[];
  contextSufficient: boolean;
  model: string;
}

/** Lowercased, NFKC, whitespace collapsed, trailing punctuation dropped: "What is X?" ≡ "what is  x". */
export function normalizeQuestion(question: string): string {
  return question
    .normalize("NFKC")
    .toLowerCase()
    .replace(/\s+/g, " ")
    .trim()
    .replace(/[\s?!.。？！]+$/u, "");
}

/**
 * `ans:{sha256}` over tenant, normalised question, each retrieved chunk's id and content hash (in
 * rank order), prompt version, model and the ids of the few-shot examples in the prompt: a changed
 * document changes a hash and a new or deleted example changes the ids, so stale answers are never
 * found (invalidation by construction). Without examples the key is what it was before examples existed.
 */
export function answerCacheKey(input: {
  tenant: string;
  question: string;
  hits: Passage[];
  promptVersion: string;
  model: string;
  exampleIds?: string[];
}): string {
  const parts: unknown[] = [
    input.tenant,
    normalizeQuestion(input.question),
    input.hits.map((hit) => [hit.id, hit.metadata.contentHash]),
    input.promptVersion,
    input.model,
  ];
  if (input.exampleIds && input.exampleIds.length > 0) parts.push(input.exampleIds);
  return `ans:${createHash("sha256").update(JSON.stringify(parts)).digest("hex")}`;
}

/** Answer cache over the KeyValue port (memory embedded, Redis in server mode); a failing store is a miss, never an error. Also holds judge verdicts (`T`). */
export class AnswerCache<T = CachedAnswer> {
  constructor(
    private readonly deps: {
      keyValue: KeyValue;
      ttlSeconds: number;
      onLookup?: (hit: boolean) => void;
      logger?: Logger;
    },
  ) {}

  async get(key: string): Promise<T | null> {
    try {
      const [raw] = await this.deps.keyValue.mget([key]);
      const value = raw ? (JSON.parse(raw) as T) : null;
      this.deps.onLookup?.(value !== null);
      return value;
    } catch (error) {
      this.deps.logger?.warn({ error: (error as Error).message }, "answer cache read failed; treated as a miss");
      this.deps.onLookup?.(false);
      return null;
    }
  }

  async set(key: string, value: T): Promise<void> {
    if (this.deps.ttlSeconds <= 0) return;
    try {
      await this.deps.keyValue.mset([[key, JSON.stringify(value)]], { ttlSeconds: this.deps.ttlSeconds });
    } catch (error) {
      this.deps.logger?.warn({ error: (error as Error).message }, "answer cache write failed");
    }
  }
}
