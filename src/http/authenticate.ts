import type { MiddlewareHandler } from "hono";
import { API_KEY_SCOPES, type ApiKeyScope } from "../core/api-keys.js";
import { ForbiddenError, UnauthorizedError } from "../core/errors.js";
import type { Principal } from "../use-cases/api-keys.js";
import type { AppEnv } from "./app-env.js";

export const DEFAULT_TENANT = "default";

/** With auth off every request acts as the `default` tenant with every scope but `admin` (no key exists to manage). */
const ANONYMOUS: Principal = { tenant: DEFAULT_TENANT, scopes: new Set(API_KEY_SCOPES.filter((scope) => scope !== "admin")), keyId: "anonymous" };

/** The key a request presents, exactly as sent (`Authorization: Bearer <key>` or `X-API-Key`): a key with extra characters is another key. */
function presentedKey(authorization: string | undefined, apiKeyHeader: string | undefined): string | undefined {
  const bearer = authorization?.match(/^Bearer (.+)$/i)?.[1];
  return bearer ?? apiKeyHeader;
}

/**
 * The tenant and scopes come from the API key, never from the body. `required: false` (no key in the
 * config file and none created) turns auth off: every request is the `default` tenant.
 */
export function authenticate(options: { required: boolean; authenticate: (key: string) => Promise<Principal | null> }): MiddlewareHandler<AppEnv> {
  return async (context, next) => {
    let principal = ANONYMOUS;
    if (options.required) {
      const presented = presentedKey(context.req.header("authorization"), context.req.header("x-api-key"));
      if (!presented) throw new UnauthorizedError("missing API key: send Authorization: Bearer <key> or X-API-Key");
      const found = await options.authenticate(presented);
      if (!found) throw new UnauthorizedError("invalid API key (unknown, revoked or expired)");
      principal = found;
    }
    context.set("principal", principal);
    context.set("tenant", principal.tenant);
    return next();
  };
}

/**
 * Checks a request's key outside the /v1 middleware (e.g. `/metrics`): 401 without a valid key, 403
 * without `scope`.
 */
export async function requireKeyWithScope(
  authenticateKey: (key: string) => Promise<Principal | null>,
  scope: ApiKeyScope,
  headers: { authorization: string | undefined; apiKey: string | undefined },
): Promise<void> {
  const presented = presentedKey(headers.authorization, headers.apiKey);
  if (!presented) throw new UnauthorizedError("missing API key: send Authorization: Bearer <key> or X-API-Key");
  const principal = await authenticateKey(presented);
  if (!principal) throw new UnauthorizedError("invalid API key (unknown, revoked or expired)");
  if (!principal.scopes.has(scope)) throw new ForbiddenError(`this API key lacks the "${scope}" scope`, { details: { required_scope: scope } });
}

/** Refuses (403, naming the scope) a request whose key lacks the scope `scopeFor` gives its method. */
export function requireScope(scopeFor: (method: string) => ApiKeyScope): MiddlewareHandler<AppEnv> {
  return async (context, next) => {
    const scope = scopeFor(context.req.method);
    if (!context.get("principal").scopes.has(scope)) {
      throw new ForbiddenError(`this API key lacks the "${scope}" scope`, { details: { required_scope: scope } });
    }
    return next();
  };
}

/** Reads need `read`, everything else `write`. */
export const readOrWrite = (method: string): ApiKeyScope => (method === "GET" || method === "HEAD" ? "read" : "write");
