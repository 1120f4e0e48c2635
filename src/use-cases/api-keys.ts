import { API_KEY_SCOPES, apiKeyId, generateApiKey, hashApiKey, sameKeyHash, type ApiKeyScope } from "../core/api-keys.js";
import { NotFoundError, UpstreamUnavailableError, ValidationError } from "../core/errors.js";
import type { ApiKeyPage, ApiKeyRecord, ApiKeyStore } from "../ports/api-key-store.js";

/** Who a request acts as: the key's tenant, what it may do, and the key's visible id (for logs and usage). */
export interface Principal {
  tenant: string;
  scopes: ReadonlySet<ApiKeyScope>;
  keyId: string;
}

/** A key from the config file (`auth.apiKeys`): bootstraps the operator's admin key, or serves a fixed tenant. */
export interface ConfigApiKey {
  key: string;
  tenant: string;
  scopes: readonly ApiKeyScope[];
}

export interface KeyAuthenticatorDeps {
  configKeys: readonly ConfigApiKey[];
  store: ApiKeyStore;
  now?: () => Date;
  /** How long a stored key's look-up is reused: revocation reaches every process within this. */
  cacheMs?: number;
  maxCachedKeys?: number;
}

/**
 * The principal of a presented key, or null when it is no key: config keys first (every one compared
 * in constant time), then stored keys by hash, refused once expired or revoked. Look-ups of stored keys
 * (misses included) are cached for `cacheMs` (default 1 s), so a revocation takes effect on every
 * process within it and a flood of bad keys does not reach the database more than once a second per key.
 * A key store that cannot be reached is UpstreamUnavailableError (503, retry after 1 s).
 */
export function createKeyAuthenticator(deps: KeyAuthenticatorDeps): (presented: string) => Promise<Principal | null> {
  const now = deps.now ?? (() => new Date());
  const cacheMs = deps.cacheMs ?? 1_000;
  const maxCached = deps.maxCachedKeys ?? 10_000;
  const configKeys = deps.configKeys.map((entry, index) => ({ ...entry, hash: hashApiKey(entry.key), id: `config-${index}` }));
  const cache = new Map<string, { record: ApiKeyRecord | null; until: number }>();

  async function stored(hash: string): Promise<ApiKeyRecord | null> {
    const at = now().getTime();
    const cached = cache.get(hash);
    if (cached && cached.until > at) return cached.record;
    let record: ApiKeyRecord | null;
    try {
      record = await deps.store.findByHash(hash);
    } catch (error) {
      throw new UpstreamUnavailableError("the API key store is unavailable", { cause: error, retryAfterSeconds: 1 });
    }
    if (cache.size >= maxCached) cache.clear();
    cache.set(hash, { record, until: at + cacheMs });
    return record;
  }

  return async (presented) => {
    const hash = hashApiKey(presented);
    let match: { tenant: string; scopes: readonly ApiKeyScope[]; id: string } | null = null;
    for (const entry of configKeys) if (sameKeyHash(entry.hash, hash)) match = entry;
    if (match) return { tenant: match.tenant, scopes: new Set(match.scopes), keyId: match.id };
    if (apiKeyId(presented) === null) return null;
    const record = await stored(hash);
    if (!record || record.revokedAt !== null) return null;
    if (record.expiresAt !== null && Date.parse(record.expiresAt) <= now().getTime()) return null;
    return { tenant: record.tenant, scopes: new Set(record.scopes), keyId: record.id };
  };
}

export interface CreateApiKeyInput {
  tenant: string;
  scopes: ApiKeyScope[];
  name?: string;
  expiresAt?: string | null;
}

/** A new stored key; the key itself is in the result and nowhere else (only its hash is kept). */
export async function createApiKey(deps: { store: ApiKeyStore; now?: () => Date }, input: CreateApiKeyInput): Promise<{ record: ApiKeyRecord; key: string }> {
  const created = (deps.now ?? (() => new Date()))();
  const scopes = API_KEY_SCOPES.filter((scope) => input.scopes.includes(scope));
  if (scopes.length === 0)
    throw new ValidationError("a key needs at least one scope", [{ path: "scopes", message: `one or more of ${API_KEY_SCOPES.join(", ")}` }]);
  const expiresAt = input.expiresAt ?? null;
  if (expiresAt !== null && !(Date.parse(expiresAt) > created.getTime())) {
    throw new ValidationError("expires_at must be a time in the future", [{ path: "expires_at", message: "must be after now" }]);
  }
  const { id, key } = generateApiKey();
  const record: ApiKeyRecord = {
    id,
    tenant: input.tenant,
    keyHash: hashApiKey(key),
    scopes,
    name: input.name ?? "",
    createdAt: created.toISOString(),
    expiresAt: expiresAt === null ? null : new Date(expiresAt).toISOString(),
    revokedAt: null,
  };
  await deps.store.insert(record);
  return { record, key };
}

export function listApiKeys(deps: { store: ApiKeyStore }, options: { tenant?: string; limit: number; cursor?: string | null }): Promise<ApiKeyPage> {
  return deps.store.list(options);
}

/** Revokes a stored key (effective on every process within the authenticator's cache time); NotFoundError for an unknown id. */
export async function revokeApiKey(deps: { store: ApiKeyStore; now?: () => Date }, id: string): Promise<ApiKeyRecord> {
  const record = await deps.store.revoke(id, (deps.now ?? (() => new Date()))().toISOString());
  if (!record) throw new NotFoundError(`API key ${id} not found`);
  return record;
}
