import type { Context, MiddlewareHandler } from "hono";
import type { Config } from "../config/schema.js";
import { RateLimitedError } from "../core/errors.js";
import type { Metrics } from "../observability/metrics.js";
import type { RateAllowance, RateDecision, RateLimiter } from "../ports/rate-limiter.js";
import type { AppEnv } from "./app-env.js";
import { tokenAllowance } from "../use-cases/token-budget.js";

export interface RateLimitDeps {
  limiter: RateLimiter;
  limits: Config["limits"];
  metrics: Metrics;
}

const MINUTE = 60;
/** An upload slot is held while the request is received; the window only bounds a slot a crash never gave back. */
const UPLOAD_SLOT_WINDOW_SECONDS = 15 * MINUTE;

function setHeaders(context: Context<AppEnv>, decision: RateDecision): void {
  context.header("RateLimit-Limit", String(decision.limit));
  context.header("RateLimit-Remaining", String(decision.remaining));
  context.header("RateLimit-Reset", String(Math.ceil(decision.resetMs / 1000)));
}

function refuse(deps: RateLimitDeps, context: Context<AppEnv>, limit: string, decision: RateDecision, message: string): never {
  deps.metrics.rateLimited.inc({ limit });
  setHeaders(context, decision);
  throw new RateLimitedError(message, { retryAfterSeconds: Math.max(1, Math.ceil(decision.resetMs / 1000)), details: { limit, allowed: decision.limit } });
}

/**
 * Requests per minute per key and per tenant (overridable per key and per tenant), with
 * `RateLimit-Limit/-Remaining/-Reset` on every answer (the tighter of the two) and 429 + Retry-After
 * past either. Requests without a key (auth off: local use) are not limited.
 */
export function limitRequests(deps: RateLimitDeps): MiddlewareHandler<AppEnv> {
  const { limits } = deps;
  return async (context, next) => {
    const principal = context.get("principal");
    if (principal.keyId === "anonymous") return next();
    const perKey = limits.keys[principal.keyId]?.requestsPerMinute ?? limits.requestsPerMinutePerKey;
    const perTenant = limits.tenants[principal.tenant]?.requestsPerMinute ?? limits.requestsPerMinutePerTenant;
    let tightest: RateDecision | null = null;
    if (perKey > 0) {
      const decision = await deps.limiter.consume({ name: "key", limit: perKey, windowSeconds: MINUTE }, principal.keyId);
      if (!decision.allowed) refuse(deps, context, "key", decision, `this API key's limit of ${perKey} requests per minute is reached`);
      tightest = decision;
    }
    if (perTenant > 0) {
      const decision = await deps.limiter.consume({ name: "tenant", limit: perTenant, windowSeconds: MINUTE }, principal.tenant);
      if (!decision.allowed) refuse(deps, context, "tenant", decision, `tenant ${principal.tenant}'s limit of ${perTenant} requests per minute is reached`);
      if (!tightest || decision.remaining < tightest.remaining) tightest = decision;
    }
    if (tightest) setHeaders(context, tightest);
    return next();
  };
}

/** At most `concurrentUploadsPerTenant` uploads (POST/PUT) of one tenant received at once; the slot is freed when the request ends. */
export function limitConcurrentUploads(deps: RateLimitDeps): MiddlewareHandler<AppEnv> {
  const { limits } = deps;
  return async (context, next) => {
    const principal = context.get("principal");
    const method = context.req.method;
    if (principal.keyId === "anonymous" || (method !== "POST" && method !== "PUT")) return next();
    const cap = limits.tenants[principal.tenant]?.concurrentUploads ?? limits.concurrentUploadsPerTenant;
    if (cap === 0) return next();
    const allowance: RateAllowance = { name: "uploads", limit: cap, windowSeconds: UPLOAD_SLOT_WINDOW_SECONDS };
    const decision = await deps.limiter.consume(allowance, principal.tenant);
    if (!decision.allowed) {
      refuse(deps, context, "uploads", { ...decision, resetMs: 1_000 }, `tenant ${principal.tenant} already has ${cap} uploads in progress`);
    }
    try {
      await next();
    } finally {
      await deps.limiter.reward(allowance, principal.tenant).catch(() => undefined);
    }
  };
}

/** Refuses model-using requests (queries, uploads) of a tenant whose daily model-token budget is spent. */
export function requireTokenBudget(deps: RateLimitDeps): MiddlewareHandler<AppEnv> {
  return async (context, next) => {
    const principal = context.get("principal");
    const allowance = principal.keyId === "anonymous" ? null : tokenAllowance(deps.limits, principal.tenant);
    if (allowance && context.req.method !== "GET" && context.req.method !== "HEAD" && context.req.method !== "DELETE") {
      const decision = await deps.limiter.peek(allowance, principal.tenant);
      if (decision.remaining <= 0)
        refuse(deps, context, "tokens", decision, `tenant ${principal.tenant}'s daily budget of ${allowance.limit} model tokens is spent`);
    }
    return next();
  };
}
