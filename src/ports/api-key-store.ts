import type { ApiKeyScope } from "../core/api-keys.js";

export type { ApiKeyScope } from "../core/api-keys.js";

/** A stored API key: never the key itself, only its sha256. Times are ISO-8601 UTC. */
export interface ApiKeyRecord {
  /** The visible part of the key (`rgl_<id>_…`). */
  id: string;
  tenant: string;
  keyHash: string;
  scopes: ApiKeyScope[];
  name: string;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
}

export interface ApiKeyPage {
  keys: ApiKeyRecord[];
  nextCursor: string | null;
}

/**
 * Port for runtime-managed API keys, shared by every process (SQLite embedded, PostgreSQL in server
 * mode). Contract: `insert` refuses a duplicate id or hash (throws); `findByHash` returns the key
 * whatever its state (the caller decides on expiry and revocation); `list` is newest first, optionally
 * one tenant's, paginated by an opaque cursor; `revoke` sets `revokedAt` once (a second revoke keeps the
 * first time) and returns the record, or null for an unknown id.
 */
export interface ApiKeyStore {
  insert(record: ApiKeyRecord): Promise<void>;
  findByHash(keyHash: string): Promise<ApiKeyRecord | null>;
  list(options: { tenant?: string; limit: number; cursor?: string | null }): Promise<ApiKeyPage>;
  revoke(id: string, at: string): Promise<ApiKeyRecord | null>;
}
