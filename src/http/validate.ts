import type { Context } from "hono";
import type { z } from "zod";
import { issuesFromZod, ValidationError } from "../core/errors.js";
import { readBodyText } from "./request-body.js";

/** Parses a JSON body; malformed JSON and schema violations are 400s naming the field path. */
export async function readJson<T extends z.ZodType>(context: Context, schema: T): Promise<z.infer<T>> {
  let body: unknown;
  try {
    body = JSON.parse(await readBodyText(context));
  } catch {
    throw new ValidationError("request body is not valid JSON", [{ path: "", message: "malformed JSON" }]);
  }
  return parseWith(schema, body, "invalid request body");
}

export function parseWith<T extends z.ZodType>(schema: T, value: unknown, message: string): z.infer<T> {
  const result = schema.safeParse(value);
  if (!result.success) {
    const issues = issuesFromZod(result.error.issues);
    throw new ValidationError(`${message}: ${issues.map((issue) => `${issue.path || "(body)"}: ${issue.message}`).join("; ")}`, issues);
  }
  return result.data;
}
