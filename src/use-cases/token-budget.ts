import type { RateAllowance, RateLimiter } from "../ports/rate-limiter.js";

const DAY_SECONDS = 24 * 60 * 60;

/** The budget settings (config `limits`): a default per tenant and per-tenant overrides; null: no budget. */
export interface TokenBudgetSettings {
  modelTokensPerDayPerTenant: number | null;
  tenants: Record<string, { modelTokensPerDay?: number | null }>;
}

/** The tenant's daily model-token allowance, or null without a budget. */
export function tokenAllowance(settings: TokenBudgetSettings, tenant: string): RateAllowance | null {
  const override = settings.tenants[tenant]?.modelTokensPerDay;
  const budget = override === undefined ? settings.modelTokensPerDayPerTenant : override;
  return budget === null ? null : { name: "tokens", limit: budget, windowSeconds: DAY_SECONDS };
}

/** Takes a model call's tokens from its tenant's daily budget: all of them, so a call past the end empties it. */
export async function spendTokens(limiter: RateLimiter, settings: TokenBudgetSettings, tenant: string, tokens: number): Promise<void> {
  const allowance = tokenAllowance(settings, tenant);
  if (!allowance || tokens <= 0) return;
  const decision = await limiter.consume(allowance, tenant, tokens);
  if (!decision.allowed && decision.remaining > 0) await limiter.consume(allowance, tenant, decision.remaining);
}
