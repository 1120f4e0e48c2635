import type { ModelCall } from "./model-usage.js";

/** One model call as the ledger keeps it. */
export interface UsageEntry {
  id: string;
  call: ModelCall;
  costUsd: number;
  /** ISO-8601 UTC. */
  createdAt: string;
}

/** What usage can be grouped by: the UTC day, model, prompt version, API key, task (embedding, answer…), tenant. */
export const USAGE_GROUPS = ["day", "model", "prompt_version", "key", "task", "tenant"] as const;
export type UsageGroup = (typeof USAGE_GROUPS)[number];

export interface UsageTotals {
  /** The group's values, one per requested group (null: no key known). */
  group: Partial<Record<UsageGroup, string | null>>;
  calls: number;
  inputTokens: number;
  outputTokens: number;
  cachedTokens: number;
  costUsd: number;
  /** Calls that failed or gave invalid output. */
  failedCalls: number;
}

/**
 * Port for the usage ledger: every model call, durable, in the state database. Contract: `record`
 * keeps one entry (a duplicate id is ignored); `totals` sums the entries created in [from, to), of
 * one tenant or all, grouped by the given groups (none: one row), groups ordered by their values.
 */
export interface UsageLedger {
  record(entry: UsageEntry): Promise<void>;
  totals(options: { tenant?: string; from: string; to: string; groupBy: readonly UsageGroup[] }): Promise<UsageTotals[]>;
}
