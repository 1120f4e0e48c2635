import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * What a key may do: `read` (list, get, query), `write` (upload, change, delete, retry), `review`
 * (the answer review queue), `admin` (the operator: manages every tenant's keys).
 */
export const API_KEY_SCOPES = ["read", "write", "review", "admin"] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

/** Scopes a key from the config file gets when it names none (every tenant scope, not admin). */
export const DEFAULT_CONFIG_KEY_SCOPES: readonly ApiKeyScope[] = ["read", "write", "review"];

const KEY_PATTERN = /^rgl_([0-9a-f]{16})_([0-9a-f]{64})$/;

/** A new key: `rgl_<id>_<secret>`, the id (16 hex) visible in listings and logs, the secret 256 random bits. */
export function generateApiKey(): { id: string; key: string } {
  const id = randomBytes(8).toString("hex");
  return { id, key: `rgl_${id}_${randomBytes(32).toString("hex")}` };
}

/** The id of a key in Ragline's format, or null for anything else (config keys may have any shape). */
export function apiKeyId(key: string): string | null {
  return KEY_PATTERN.exec(key)?.[1] ?? null;
}

/** sha256 of the key as presented, hex: what is stored and looked up; the key itself never is. */
export function hashApiKey(key: string): string {
  return createHash("sha256").update(key, "utf8").digest("hex");
}

/** Constant-time equality of two hashes of the same length. */
export function sameKeyHash(left: string, right: string): boolean {
  const a = Buffer.from(left, "hex");
  const b = Buffer.from(right, "hex");
  return a.length === b.length && a.length > 0 && timingSafeEqual(a, b);
}
