/** The state of one allowance after a request took from it. */
export interface RateDecision {
  allowed: boolean;
  /** Points per window. */
  limit: number;
  remaining: number;
  /** Until the window resets (or, refused, until a point is free again). */
  resetMs: number;
}

/** One allowance: `limit` points per `windowSeconds`, per key. */
export interface RateAllowance {
  /** Names the counter (e.g. `key`, `tenant`, `uploads`, `tokens`); keys of different names never share points. */
  name: string;
  limit: number;
  windowSeconds: number;
}

/**
 * Port for counting requests, concurrent work and token budgets (in memory for one process, in Redis
 * when several processes share them). Contract: `consume` takes `points` from `key`'s allowance and
 * reports whether it fit (a refused consume takes nothing); `reward` gives points back (a finished
 * upload frees its slot); `peek` reads without taking. A counter store that cannot be reached does not
 * fail requests: the adapter falls back to counting in this process.
 */
export interface RateLimiter {
  consume(allowance: RateAllowance, key: string, points?: number): Promise<RateDecision>;
  reward(allowance: RateAllowance, key: string, points?: number): Promise<void>;
  peek(allowance: RateAllowance, key: string): Promise<RateDecision>;
}
