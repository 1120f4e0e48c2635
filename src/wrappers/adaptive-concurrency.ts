import { UpstreamUnavailableError } from "../core/errors.js";
import type { Embedder } from "../ports/embedder.js";
import { wrapPort } from "./wrap-port.js";

export interface AdaptiveConcurrencyOptions {
  /** Slots at the start (default 4, at most `max`). */
  initial?: number;
  /** Slots never exceed this. */
  max: number;
  /** Slots never go below this (default 1). */
  min?: number;
  now?: () => number;
  onLimitChange?: (limit: number, reason: "increase" | "rate_limited") => void;
}

/** A slot taken with `acquire`; `release` it exactly once, saying whether the call succeeded. */
export interface ConcurrencySlot {
  release(outcome: "success" | "failure"): void;
}

/** A dependency answered "too many requests, come back later": 429 (or 503) with a Retry-After. */
export function isBackOffSignal(error: unknown): error is UpstreamUnavailableError & { retryAfterSeconds: number } {
  return error instanceof UpstreamUnavailableError && error.retryAfterSeconds !== undefined;
}

/**
 * How many calls to a dependency may be in flight, learned from its answers (AIMD, as TCP does):
 * the limit starts at `initial` and grows by one for each successful call that found every slot
 * taken (slow start) until the first 429; from then on it is halved on each 429 (once per burst)
 * and grows by one per `limit` such successes. After a 429 no call starts before its Retry-After
 * has passed. Calls already in flight are never interrupted.
 */
export class AdaptiveConcurrency {
  private current: number;
  private readonly max: number;
  private readonly min: number;
  private readonly now: () => number;
  private running = 0;
  private threshold = Number.POSITIVE_INFINITY;
  private successesInWindow = 0;
  private pausedUntil = 0;
  private decreaseCooldownUntil = 0;
  private pauseTimer: NodeJS.Timeout | null = null;
  private readonly waiters: Array<() => void> = [];

  constructor(private readonly options: AdaptiveConcurrencyOptions) {
    this.max = Math.max(1, Math.floor(options.max));
    this.min = Math.min(this.max, Math.max(1, Math.floor(options.min ?? 1)));
    this.current = Math.min(this.max, Math.max(this.min, Math.floor(options.initial ?? 4)));
    this.now = options.now ?? Date.now;
  }

  get limit(): number {
    return this.current;
  }

  get inFlight(): number {
    return this.running;
  }

  /** Resolves with a slot once fewer than `limit` calls run and no Retry-After pause is in force. */
  acquire(): Promise<ConcurrencySlot> {
    if (this.waiters.length === 0 && this.canStart()) return Promise.resolve(this.take());
    return new Promise((resolve) => {
      this.waiters.push(() => resolve(this.take()));
      this.schedule();
    });
  }

  /** A call was refused with Retry-After: halve the limit (once per burst of refusals) and pause new calls. */
  rateLimited(retryAfterMs: number): void {
    const now = this.now();
    this.pausedUntil = Math.max(this.pausedUntil, now + Math.max(0, retryAfterMs));
    if (now >= this.decreaseCooldownUntil) {
      // Refusals of calls sent together arrive together: they are one signal, not several.
      this.decreaseCooldownUntil = now + Math.max(retryAfterMs, 100);
      this.threshold = Math.max(this.min, Math.floor(this.current / 2));
      this.current = this.threshold;
      this.successesInWindow = 0;
      this.options.onLimitChange?.(this.current, "rate_limited");
    }
    this.schedule();
  }

  /**
   * `embedder` with its back-off signals reported here. Put it inside the retry policy, so each
   * refused attempt is seen, and take slots outside it (see the coalescing embedder).
   */
  observe(embedder: Embedder): Embedder {
    return wrapPort(embedder, {
      embed:
        (next) =>
        async (...args) => {
          try {
            return await next(...args);
          } catch (error) {
            if (isBackOffSignal(error)) this.rateLimited(error.retryAfterSeconds * 1000);
            throw error;
          }
        },
    });
  }

  private canStart(): boolean {
    return this.running < this.current && this.now() >= this.pausedUntil;
  }

  private take(): ConcurrencySlot {
    this.running += 1;
    const saturated = this.running >= this.current;
    let released = false;
    return {
      release: (outcome) => {
        if (released) return;
        released = true;
        this.running -= 1;
        if (outcome === "success" && saturated) this.grow();
        this.schedule();
      },
    };
  }

  private grow(): void {
    if (this.current >= this.max) return;
    if (this.current < this.threshold) this.current += 1;
    else if (++this.successesInWindow >= this.current) {
      this.successesInWindow = 0;
      this.current += 1;
    } else return;
    this.options.onLimitChange?.(this.current, "increase");
  }

  /** Hands free slots to waiters, or wakes up when the pause ends. */
  private schedule(): void {
    while (this.waiters.length > 0 && this.canStart()) this.waiters.shift()!();
    if (this.waiters.length === 0 || this.pauseTimer !== null) return;
    const wait = this.pausedUntil - this.now();
    if (wait > 0) {
      this.pauseTimer = setTimeout(() => {
        this.pauseTimer = null;
        this.schedule();
      }, wait);
    }
  }
}
