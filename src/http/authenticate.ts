import { timingSafeEqual } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import { UnauthorizedError } from "../core/errors.js";
import type { AppEnv } from "./app-env.js";

export const DEFAULT_TENANT = "default";

function sameSecret(left: string, right: string): boolean {
  const a = Buffer.from(left);
  const b = Buffer.from(right);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The tenant comes from the API key (`Authorization: Bearer <key>` or `X-API-Key`), never from the
 * body. With no keys configured, auth is off and every request belongs to the `default` tenant.
 */
export function authenticate(apiKeys: ReadonlyArray<{ key: string; tenant: string }>): MiddlewareHandler<AppEnv> {
  return async (context, next) => {
    if (apiKeys.length === 0) {
      context.set("tenant", DEFAULT_TENANT);
      return next();
    }
    const header = context.req.header("authorization");
    const presented = header?.match(/^Bearer\s+(.+)$/i)?.[1]?.trim() ?? context.req.header("x-api-key")?.trim();
    if (!presented) throw new UnauthorizedError("missing API key: send Authorization: Bearer <key> or X-API-Key");
    const match = apiKeys.find((entry) => sameSecret(entry.key, presented));
    if (!match) throw new UnauthorizedError("invalid API key");
    context.set("tenant", match.tenant);
    return next();
  };
}
