import type { Redis } from "ioredis";
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from "rate-limiter-flexible";
import type { RateAllowance, RateDecision, RateLimiter } from "../../../ports/rate-limiter.js";

/**
 * RateLimiter on rate-limiter-flexible: fixed windows in memory (embedded mode) or in Redis (server
 * mode, shared by every process; a Redis that cannot be reached falls back to an in-process counter,
 * the library's insurance limiter). One library limiter per allowance (name, limit, window).
 */
export class FlexibleRateLimiter implements RateLimiter {
  private readonly limiters = new Map<string, RateLimiterAbstract>();

  constructor(private readonly options: { redis?: Redis; keyPrefix?: string } = {}) {}

  private limiter(allowance: RateAllowance): RateLimiterAbstract {
    const id = `${allowance.name}:${allowance.limit}:${allowance.windowSeconds}`;
    let limiter = this.limiters.get(id);
    if (!limiter) {
      const settings = { points: allowance.limit, duration: allowance.windowSeconds, keyPrefix: `${this.options.keyPrefix ?? "ragline:"}rl:${id}` };
      limiter = this.options.redis
        ? new RateLimiterRedis({ ...settings, storeClient: this.options.redis, insuranceLimiter: new RateLimiterMemory(settings) })
        : new RateLimiterMemory(settings);
      this.limiters.set(id, limiter);
    }
    return limiter;
  }

  async consume(allowance: RateAllowance, key: string, points = 1): Promise<RateDecision> {
    try {
      const result = await this.limiter(allowance).consume(key, points);
      return decision(allowance, result, true);
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) {
        // A refused consume still counted its points in the window; give them back so it took nothing.
        await this.limiter(allowance)
          .reward(key, points)
          .catch(() => undefined);
        const remaining = Math.max(0, allowance.limit - (rejection.consumedPoints - points));
        return { allowed: false, limit: allowance.limit, remaining, resetMs: Math.max(0, rejection.msBeforeNext) };
      }
      throw rejection;
    }
  }

  async reward(allowance: RateAllowance, key: string, points = 1): Promise<void> {
    await this.limiter(allowance).reward(key, points);
  }

  async peek(allowance: RateAllowance, key: string): Promise<RateDecision> {
    const result = await this.limiter(allowance).get(key);
    if (!result) return { allowed: true, limit: allowance.limit, remaining: allowance.limit, resetMs: allowance.windowSeconds * 1000 };
    return decision(allowance, result, result.remainingPoints > 0);
  }
}

function decision(allowance: RateAllowance, result: RateLimiterRes, allowed: boolean): RateDecision {
  return { allowed, limit: allowance.limit, remaining: Math.max(0, result.remainingPoints), resetMs: Math.max(0, result.msBeforeNext) };
}
