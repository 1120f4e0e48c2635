import type { Hook } from "@hono/zod-openapi";
import type { AppEnv } from "./app-env.js";
import { validationErrorFrom } from "./validate.js";

const MESSAGES: Record<string, string> = {
  json: "invalid request body",
  form: "invalid form fields",
  query: "invalid query parameters",
  param: "invalid path parameters",
  header: "invalid headers",
  cookie: "invalid cookies",
};

/**
 * The `defaultHook` of every OpenAPIHono router: a request that fails a route's zod schema (path,
 * query, headers or body) throws our ValidationError, so the error handler answers the usual 400
 * envelope with one `{path, message}` issue per failing field.
 */
export const validationHook: Hook<unknown, AppEnv, string, void> = (result) => {
  if (!result.success) throw validationErrorFrom(result.error, MESSAGES[result.target] ?? "invalid request");
};
