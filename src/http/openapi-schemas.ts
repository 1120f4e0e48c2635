import { z, type OpenAPIHono } from "@hono/zod-openapi";
import type { ErrorCode } from "../core/errors.js";
import type { AppEnv } from "./app-env.js";
import { errorExample } from "./openapi-examples.js";

const ERROR_CODES = [
  "validation_error",
  "unauthorized",
  "forbidden",
  "not_found",
  "conflict",
  "payload_too_large",
  "rate_limited",
  "client_closed_request",
  "unsupported_media_type",
  "unprocessable_document",
  "upstream_error",
  "upstream_unavailable",
  "upstream_timeout",
  "bad_request",
  "internal_error",
] as const;
// Fails to compile when core/errors.ts gains a code this list does not document.
const everyCodeListed: [Exclude<ErrorCode, (typeof ERROR_CODES)[number]>] extends [never] ? true : false = true;
void everyCodeListed;

/** The one error shape of the API: `{error: {code, message, details}, request_id}`. */
export const errorEnvelopeSchema = z
  .object({
    error: z.object({
      code: z.enum(ERROR_CODES),
      message: z.string(),
      details: z
        .record(z.string(), z.unknown())
        .nullable()
        .openapi({ description: "For validation_error: `{issues: [{path, message}]}` with dotted field paths; otherwise extra facts or null." }),
    }),
    request_id: z.string().nullable(),
  })
  .openapi("ErrorEnvelope", { example: errorExample(400) });

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: "Invalid request: `details.issues` names each failing field path",
  401: "Missing or invalid API key",
  403: "The API key lacks the scope this request needs (`details.required_scope`)",
  404: "Not found (another tenant's object is also not found)",
  409: "Conflict with the current state",
  413: "Body larger than the limit, refused before it is read",
  429: "A rate limit, upload cap or token budget was reached (see Retry-After and RateLimit-* headers)",
  415: "Unsupported media type (uploads: sniffed from the bytes, not the file name)",
  422: "Unprocessable content",
  500: "Internal error (the cause is logged with the request id)",
  502: "Upstream error",
  503: "Upstream unavailable (see Retry-After)",
  504: "Upstream timeout",
};

type ErrorResponse = {
  description: string;
  content: { "application/json": { schema: typeof errorEnvelopeSchema; example: ReturnType<typeof errorExample> } };
};

/** OpenAPI responses for the given error statuses, each with the error envelope and an example of its own; 500 is always included. */
export function errorResponses<S extends number>(...statuses: S[]): Record<S | 500, ErrorResponse> {
  const responses = {} as Record<S | 500, ErrorResponse>;
  for (const status of [...statuses, 500 as const]) {
    const content = { "application/json": { schema: errorEnvelopeSchema, example: errorExample(status) } };
    responses[status] = { description: ERROR_DESCRIPTIONS[status] ?? "Error", content };
  }
  return responses;
}

/** `content` of a JSON response or request body; `example` when this use of a shared schema needs its own (else the schema's). */
export function jsonContent<T extends z.ZodType>(schema: T, example?: z.input<T>) {
  return { "application/json": example === undefined ? { schema } : { schema, example } };
}

/**
 * Puts `schema` in the document's components and returns a reference to it, so a body is described
 * by its zod schema without zod-openapi validating it: for routes that read their body themselves
 * (uploads: JSON or multipart, 415 for anything else, the body read from the Node stream).
 */
export function describedSchema(router: OpenAPIHono<AppEnv>, name: string, schema: z.ZodType): { $ref: string } {
  router.openAPIRegistry.register(name, schema);
  return { $ref: `#/components/schemas/${name}` };
}
