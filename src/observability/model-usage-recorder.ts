import type { ModelCall } from "../ports/model-usage.js";
import type { Metrics } from "./metrics.js";
import type { TokenUsage } from "../ports/chat-model.js";
import { type Logger } from "../ports/logger.js";

export type { ModelCall } from "../ports/model-usage.js";

/** USD per million tokens, by model name (config `prices`). */
export type PriceTable = Record<string, { input: number; output: number; cachedInput?: number }>;

/** Estimated cost: uncached input, cached input (at its own price when listed) and output; 0 for unknown models. */
export function estimateCostUsd(prices: PriceTable, model: string, usage: TokenUsage): number {
  const price = prices[model];
  if (!price) return 0;
  const cached = Math.min(usage.cachedTokens, usage.inputTokens);
  const cost = (usage.inputTokens - cached) * price.input + cached * (price.cachedInput ?? price.input) + usage.outputTokens * price.output;
  return cost / 1_000_000;
}

/** Records every model call in metrics and one log line (never prompts, keys or provider error text). */
export class ModelUsageRecorder {
  constructor(
    private readonly deps: {
      metrics: Metrics;
      prices: PriceTable;
      logger?: Logger;
      /** Told of every call and its cost (token budgets, the usage ledger). */ onCall?: (call: ModelCall, costUsd: number) => void;
    },
  ) {}

  record(call: ModelCall): number {
    const costUsd = estimateCostUsd(this.deps.prices, call.model, call.usage);
    const { metrics } = this.deps;
    const labels = { provider: call.provider, model: call.model, task: call.task, prompt_version: call.promptVersion, tenant: call.tenant };
    metrics.llmTokens.inc({ ...labels, kind: "input" }, call.usage.inputTokens);
    metrics.llmTokens.inc({ ...labels, kind: "output" }, call.usage.outputTokens);
    metrics.llmTokens.inc({ ...labels, kind: "cached" }, call.usage.cachedTokens);
    metrics.llmCost.inc(labels, costUsd);
    metrics.llmDuration.observe(
      { provider: call.provider, model: call.model, task: call.task, outcome: call.outcome, prompt_version: call.promptVersion },
      call.latencyMs / 1000,
    );
    this.deps.logger?.info(
      {
        task: call.task,
        model: call.model,
        prompt_version: call.promptVersion,
        tenant: call.tenant,
        input_tokens: call.usage.inputTokens,
        output_tokens: call.usage.outputTokens,
        cached_tokens: call.usage.cachedTokens,
        cost_usd: costUsd,
        latency_ms: Math.round(call.latencyMs),
        outcome: call.outcome,
        ...(call.attempt ? { attempt: call.attempt } : {}),
      },
      "model call",
    );
    this.deps.onCall?.(call, costUsd);
    return costUsd;
  }
}
