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

type AuthenticateKey = (key: string) => Promise<Principal | null>;

/** The principal of the key a request presents; 401 when it presents none, or one that is unknown, revoked or expired. */
async function principalOf(authenticateKey: AuthenticateKey, headers: { authorization: string | undefined; apiKey: string | undefined }): Promise<Principal> {
  const presented = presentedKey(headers.authorization, headers.apiKey);
  if (!presented) throw new UnauthorizedError("missing API key: send Authorization: Bearer <key> or X-API-Key");
  const principal = await authenticateKey(presented);
  if (!principal) throw new UnauthorizedError("invalid API key (unknown, revoked or expired)");
  return principal;
}

/** 403 naming the scope(s) unless the principal has one of `scopes`. */
function assertScope(principal: Principal, scopes: readonly ApiKeyScope[]): void {
  if (scopes.some((scope) => principal.scopes.has(scope))) return;
  const required = scopes.join(" or ");
  throw new ForbiddenError(`this API key lacks the ${scopes.map((scope) => `"${scope}"`).join(" or ")} scope`, { details: { required_scope: required } });
}

/**
 * The tenant and scopes come from the API key, never from the body. `required: false` (no key in the
 * config file and none created) turns auth off: every request is the `default` tenant.
 */
export function authenticate(options: { required: boolean; authenticate: AuthenticateKey }): MiddlewareHandler<AppEnv> {
  return async (context, next) => {
    const principal = options.required
      ? await principalOf(options.authenticate, { authorization: context.req.header("authorization"), apiKey: context.req.header("x-api-key") })
      : ANONYMOUS;
    context.set("principal", principal);
    context.set("tenant", principal.tenant);
    return next();
  };
}

/** Checks a request's key outside the /v1 middleware (e.g. `/metrics`): 401 without a valid key, 403 without `scope`. */
export async function requireKeyWithScope(
  authenticateKey: AuthenticateKey,
  scope: ApiKeyScope,
  headers: { authorization: string | undefined; apiKey: string | undefined },
): Promise<void> {
  assertScope(await principalOf(authenticateKey, headers), [scope]);
}

/** Refuses (403, naming the scopes) a request whose key has none of the scopes `scopeFor` gives its method. */
export function requireScope(scopeFor: (method: string) => ApiKeyScope | readonly ApiKeyScope[]): MiddlewareHandler<AppEnv> {
  return async (context, next) => {
    const scopes = scopeFor(context.req.method);
    assertScope(context.get("principal"), typeof scopes === "string" ? [scopes] : scopes);
    return next();
  };
}

/** Reads need `read`, everything else `write`. */
export const readOrWrite = (method: string): ApiKeyScope => (method === "GET" || method === "HEAD" ? "read" : "write");
