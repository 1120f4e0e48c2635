import type { TokenUsage } from "./chat-model.js";

/** One model call as it is accounted: tokens, latency and outcome, per tenant and prompt version. */
export interface ModelCall {
  provider: string;
  task: "embedding" | "answer" | "fallback" | "rerank" | "judge";
  model: string;
  promptVersion: string;
  tenant: string;
  /** The API key the call was made for, when known (answers); the usage ledger groups by it. */
  keyId?: string;
  usage: TokenUsage;
  latencyMs: number;
  outcome: "ok" | "invalid_output" | "error";
  /** Which step of the retry order a generation call was (initial, repair, refined, fallback); absent for calls without retries. */
  attempt?: "initial" | "repair" | "refined" | "fallback";
}
