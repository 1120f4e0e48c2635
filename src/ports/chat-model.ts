export interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
  cachedTokens: number;
}

export interface ChatResult {
  content: string;
  usage: TokenUsage;
  model: string;
}

/**
 * Port for chat models (OpenAI-compatible endpoints). `schema`, when given, is a JSON schema the
 * output should follow; callers still validate the content themselves. `stream` yields text deltas
 * and, last, the usage; a stream that ends early throws (it never just stops).
 */
export interface ChatModel {
  readonly modelId: string;
  generate(request: {
    messages: ChatMessage[];
    schema?: Record<string, unknown>;
    schemaName?: string;
    maxTokens?: number;
    signal?: AbortSignal;
  }): Promise<ChatResult>;
  stream(request: { messages: ChatMessage[]; maxTokens?: number; signal?: AbortSignal }): AsyncIterable<{ delta: string } | { usage: TokenUsage }>;
}
