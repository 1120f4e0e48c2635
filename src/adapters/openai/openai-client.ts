import OpenAI from "openai";

export interface OpenAiClientSettings {
  /** Any OpenAI-compatible base URL (…/v1); null → api.openai.com. */
  baseUrl: string | null;
  apiKey: string | null;
  /** The SDK's own timeout; the resilience policy's per-attempt timeout normally fires first. */
  timeoutMs: number;
}

/**
 * One SDK client per endpoint. Its retries are off (`maxRetries: 0`) so only the resilience policy
 * retries, its logging is off so nothing it knows (headers, key) reaches a log, and the base URL and
 * key come from config only — the SDK never reads OPENAI_* from the environment itself.
 */
export function createOpenAiClient(settings: OpenAiClientSettings): OpenAI {
  return new OpenAI({
    baseURL: settings.baseUrl ?? "https://api.openai.com/v1",
    // Local servers (Ollama, llama.cpp, vLLM) accept any key; the SDK insists on one.
    apiKey: settings.apiKey ?? "unused",
    maxRetries: 0,
    timeout: settings.timeoutMs,
    logLevel: "off",
  });
}
