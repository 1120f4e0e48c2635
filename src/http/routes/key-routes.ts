import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { API_KEY_SCOPES } from "../../core/api-keys.js";
import { PayloadTooLargeError } from "../../core/errors.js";
import type { ApiKeyRecord, ApiKeyStore } from "../../ports/api-key-store.js";
import { createApiKey, listApiKeys, revokeApiKey } from "../../use-cases/api-keys.js";
import type { AppEnv } from "../app-env.js";
import { validationHook } from "../openapi-hook.js";
import { errorResponses, jsonContent } from "../openapi-schemas.js";
import { apiKeyExample } from "../openapi-examples.js";
import { limitBody } from "../request-body.js";

const KEY_BODY_MAX_BYTES = 16 * 1024;
const TENANT_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

const scopeSchema = z.enum(API_KEY_SCOPES);

const createKeySchema = z
  .strictObject({
    tenant: z.string().regex(TENANT_PATTERN, "1–64 letters, digits, _ or -"),
    scopes: z
      .array(scopeSchema)
      .min(1, "give at least one scope")
      .refine((scopes) => new Set(scopes).size === scopes.length, "scopes must not repeat"),
    name: z.string().max(200).optional(),
    expires_at: z.string().datetime({ offset: true, message: "an ISO-8601 time with its offset, e.g. 2027-01-31T00:00:00Z" }).nullable().optional(),
  })
  .openapi("CreateApiKey", { example: { tenant: "acme", scopes: ["read", "write"], name: "ingest bot", expires_at: "2027-01-31T00:00:00Z" } });

const keySchema = z
  .object({
    id: z.string(),
    tenant: z.string(),
    scopes: z.array(scopeSchema),
    name: z.string(),
    created_at: z.string(),
    expires_at: z.string().nullable(),
    revoked_at: z.string().nullable(),
  })
  .openapi("ApiKey", { example: apiKeyExample });

const createdKeySchema = keySchema
  .extend({ key: z.string().openapi({ description: "The key itself: shown once, only its hash is stored" }) })
  .openapi("CreatedApiKey", { example: { ...apiKeyExample, key: "rgl_cba5c4419a7be841_389f69f1da8a185ee5a7743b62f05b99847babeecfa7e465595586f30438c5dc" } });

const keyPageSchema = z
  .object({ keys: z.array(keySchema), next_cursor: z.string().nullable() })
  .openapi({ example: { keys: [apiKeyExample], next_cursor: null } });

const listQuerySchema = z.object({
  tenant: z.string().regex(TENANT_PATTERN).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().max(512).optional(),
});

function keyJson(record: ApiKeyRecord) {
  return {
    id: record.id,
    tenant: record.tenant,
    scopes: record.scopes,
    name: record.name,
    created_at: record.createdAt,
    expires_at: record.expiresAt,
    revoked_at: record.revokedAt,
  };
}

/**
 * `/v1/keys` (scope `admin`, the operator's): create a key for a tenant (the key is returned once),
 * list keys (never a key or its hash), revoke one (refused by every process within a second).
 */
export function keyRoutes(deps: { apiKeys: ApiKeyStore }): OpenAPIHono<AppEnv> {
  const routes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  const store = { store: deps.apiKeys };

  const create = createRoute({
    method: "post",
    path: "/",
    tags: ["keys"],
    summary: "Create an API key for a tenant, with scopes and an optional expiry (admin)",
    middleware: [limitBody(KEY_BODY_MAX_BYTES, () => new PayloadTooLargeError(`key body exceeds ${KEY_BODY_MAX_BYTES} bytes`))] as const,
    request: { body: { required: true, content: jsonContent(createKeySchema) } },
    responses: { 201: { description: "The key, shown this once", content: jsonContent(createdKeySchema) }, ...errorResponses(400, 401, 403, 413) },
  });
  routes.openapi(create, async (context) => {
    const body = context.req.valid("json");
    const { record, key } = await createApiKey(store, { tenant: body.tenant, scopes: body.scopes, name: body.name, expiresAt: body.expires_at ?? null });
    context.get("logger").info({ keyId: record.id, tenant: record.tenant, scopes: record.scopes, by: context.get("principal").keyId }, "API key created");
    return context.json({ ...keyJson(record), key }, 201);
  });

  const list = createRoute({
    method: "get",
    path: "/",
    tags: ["keys"],
    summary: "List API keys, newest first, optionally one tenant's (admin)",
    request: { query: listQuerySchema },
    responses: {
      200: { description: "One page of keys", content: jsonContent(keyPageSchema) },
      ...errorResponses(400, 401, 403),
    },
  });
  routes.openapi(list, async (context) => {
    const query = context.req.valid("query");
    const page = await listApiKeys(store, { tenant: query.tenant, limit: query.limit, cursor: query.cursor });
    return context.json({ keys: page.keys.map(keyJson), next_cursor: page.nextCursor }, 200);
  });

  const revoke = createRoute({
    method: "delete",
    path: "/{id}",
    tags: ["keys"],
    summary: "Revoke an API key: refused everywhere within a second (admin)",
    request: { params: z.object({ id: z.string().min(1).max(64) }) },
    responses: {
      200: { description: "The revoked key", content: jsonContent(keySchema, { ...apiKeyExample, revoked_at: "2026-11-27T22:00:10.061Z" }) },
      ...errorResponses(400, 401, 403, 404),
    },
  });
  routes.openapi(revoke, async (context) => {
    const record = await revokeApiKey(store, context.req.valid("param").id);
    context.get("logger").info({ keyId: record.id, by: context.get("principal").keyId }, "API key revoked");
    return context.json(keyJson(record), 200);
  });

  return routes;
}
