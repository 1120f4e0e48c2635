import type { Context } from "hono";
import type { z } from "zod";
import { issuesFromZod, ValidationError } from "../core/errors.js";
import { readBodyText } from "./request-body.js";

/** Parses a JSON body; malformed JSON and schema violations are 400s naming the field path. */
export async function readJson<T extends z.ZodType>(context: Context, schema: T): Promise<z.infer<T>> {
  // Read errors (a client gone mid-body) propagate as themselves; only a parse failure is malformed JSON.
  const text = await readBodyText(context);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new ValidationError("request body is not valid JSON", [{ path: "", message: "malformed JSON" }]);
  }
  return parseWith(schema, body, "invalid request body");
}

/** `value` parsed by `schema`, or a ValidationError (400) listing every failing field path. */
export function parseWith<T extends z.ZodType>(schema: T, value: unknown, message: string): z.infer<T> {
  const result = schema.safeParse(value);
  if (!result.success) throw validationErrorFrom(result.error, message);
  return result.data;
}

/** The ValidationError for a failed zod parse: `message` followed by each `path: reason`, the issues in `details`. */
export function validationErrorFrom(error: z.ZodError, message: string): ValidationError {
  const issues = issuesFromZod(error.issues);
  return new ValidationError(`${message}: ${issues.map((issue) => `${issue.path || "(body)"}: ${issue.message}`).join("; ")}`, issues);
}
