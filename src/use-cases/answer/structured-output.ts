import { z } from "zod";
import type { ChatMessage, ChatModel, TokenUsage } from "../../ports/chat-model.js";

/** One kind of structured model output: its zod schema (validated on every reply), the JSON schema sent as `response_format`, and optional checks the schema cannot express. */
export interface StructuredSpec<T> {
  name: string;
  schema: z.ZodType<T>;
  jsonSchema: Record<string, unknown>;
  /** Issues beyond the schema (e.g. one verdict per sentence); empty when the value is acceptable. */
  check?: (value: T) => string[];
}

/** A spec from a zod schema: the JSON schema is derived from it, so the two cannot drift. */
export function structuredSpec<T>(name: string, schema: z.ZodType<T>, check?: (value: T) => string[]): StructuredSpec<T> {
  const { $schema: _ignored, ...jsonSchema } = z.toJSONSchema(schema) as Record<string, unknown>;
  return { name, schema, jsonSchema, check };
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; issues: string[] };

/** Parses and validates model output; a ```json fence around the object is tolerated. Issues name the path. */
export function parseStructured<T>(spec: StructuredSpec<T>, content: string): Parsed<T> {
  const unfenced = content
    .trim()
    .replace(/^```(?:json)?\s*\n?([\s\S]*?)\n?```$/i, "$1")
    .trim();
  let json: unknown;
  try {
    json = JSON.parse(unfenced);
  } catch (error) {
    return { ok: false, issues: [`the reply is not valid JSON (${(error as Error).message})`] };
  }
  const result = spec.schema.safeParse(json);
  if (!result.success)
    return { ok: false, issues: result.error.issues.map((issue) => `${issue.path.length > 0 ? issue.path.join(".") : "(root)"}: ${issue.message}`) };
  const issues = spec.check?.(result.data) ?? [];
  return issues.length > 0 ? { ok: false, issues } : { ok: true, value: result.data };
}

/** Which step of the one retry order a generation call was: first try, repair turn, refined retry, the fallback model. */
export type AttemptKind = "initial" | "repair" | "refined" | "fallback";

export interface StructuredAttempt {
  kind: AttemptKind;
  model: string;
  usage: TokenUsage;
  latencyMs: number;
  valid: boolean;
  issues: string[];
}

export interface StructuredResult<T> {
  /** null when no attempt validated (or the deadline came first): the caller degrades. */
  value: T | null;
  attempts: StructuredAttempt[];
  /** Stopped before trying every step because `signal` was aborted (the deadline). */
  stoppedByDeadline: boolean;
}

export interface StructuredRequest {
  /** The first attempt's prompt. */
  messages: ChatMessage[];
  /** The refined retry's prompt, stating what was wrong with the earlier replies (their validation errors). */
  refinedMessages: (issues: string[]) => ChatMessage[];
  /** The first attempt is already the refined retry (a retry asked for by the grounding judge): no second refined step. */
  firstKind?: "initial" | "refined";
  /** The model tried last, after the refined retry, when routing has one. */
  fallback?: ChatModel | null;
  /** Most generation calls (repair, retry and fallback included); the steps past it are skipped. */
  maxCalls?: number;
  maxTokens: number;
  signal?: AbortSignal;
  onAttempt?: (attempt: StructuredAttempt) => void;
}

/** The repair turn: the exact validation errors, and the instruction to reply with corrected JSON only. */
function repairInstruction(issues: string[]): string {
  return `Your reply did not match the required JSON format. Validation errors:\n${issues.map((issue) => `- ${issue}`).join("\n")}\nReply again with only the corrected JSON object.`;
}

/**
 * Asks for structured output and validates it, in the one retry order of every model task:
 * first attempt → one repair turn sending back the exact validation errors → one refined retry
 * (a fresh prompt stating what was wrong) → the fallback model with that refined prompt → gives up
 * with `value: null`. At most `maxCalls` calls; when `signal` is aborted between steps it stops
 * (`stoppedByDeadline`). Upstream errors (after the policy's retries) propagate to the caller.
 */
export async function generateStructured<T>(spec: StructuredSpec<T>, model: ChatModel, request: StructuredRequest): Promise<StructuredResult<T>> {
  const attempts: StructuredAttempt[] = [];
  const maxCalls = request.maxCalls ?? 4;
  let stoppedByDeadline = false;
  const run = async (kind: AttemptKind, chat: ChatModel, messages: ChatMessage[]) => {
    const started = performance.now();
    const result = await chat.generate({ messages, schema: spec.jsonSchema, schemaName: spec.name, maxTokens: request.maxTokens, signal: request.signal });
    const parsed = parseStructured(spec, result.content);
    const attempt: StructuredAttempt = {
      kind,
      model: result.model,
      usage: result.usage,
      latencyMs: performance.now() - started,
      valid: parsed.ok,
      issues: parsed.ok ? [] : parsed.issues,
    };
    attempts.push(attempt);
    request.onAttempt?.(attempt);
    return { parsed, content: result.content };
  };

  const firstKind = request.firstKind ?? "initial";
  const steps: Array<{ kind: AttemptKind; call: (issues: string[], last: string) => ReturnType<typeof run> }> = [
    {
      kind: "repair",
      call: (issues, last) =>
        run("repair", model, [...request.messages, { role: "assistant", content: last }, { role: "user", content: repairInstruction(issues) }]),
    },
    ...(firstKind === "initial" ? [{ kind: "refined" as const, call: (issues: string[]) => run("refined", model, request.refinedMessages(issues)) }] : []),
    ...(request.fallback
      ? [{ kind: "fallback" as const, call: (issues: string[]) => run("fallback", request.fallback!, request.refinedMessages(issues)) }]
      : []),
  ];
  let outcome = await run(firstKind, model, request.messages);
  const issues: string[] = [];
  for (const step of steps) {
    if (outcome.parsed.ok) return { value: outcome.parsed.value, attempts, stoppedByDeadline };
    for (const issue of outcome.parsed.issues) if (!issues.includes(issue)) issues.push(issue);
    if (attempts.length >= maxCalls) break;
    if (request.signal?.aborted) {
      stoppedByDeadline = true;
      break;
    }
    outcome = await step.call(issues, outcome.content);
  }
  return { value: outcome.parsed.ok ? outcome.parsed.value : null, attempts, stoppedByDeadline };
}
