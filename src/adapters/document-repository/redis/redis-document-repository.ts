import { createHash } from "node:crypto";
import type { Redis } from "ioredis";
import { ValidationError } from "../../../core/errors.js";
import type { DocumentRecord, DocumentRepository, DocumentStatus } from "../../../ports/document-repository.js";

/**
 * Compare-and-set of one record and its index entries, atomic on the server.
 * KEYS: record, list index, status index of the current record, status index of the new record.
 * ARGV: expected current JSON ('' = absent), new JSON ('' = delete), current list member ('' = none),
 * new list member, id, new status score (updatedAt ms).
 */
const COMPARE_AND_SET_SCRIPT = `
local current = redis.call('GET', KEYS[1])
if (current or '') ~= ARGV[1] then return 0 end
if ARGV[3] ~= '' then
  redis.call('ZREM', KEYS[2], ARGV[3])
  redis.call('ZREM', KEYS[3], ARGV[5])
end
if ARGV[2] == '' then
  redis.call('DEL', KEYS[1])
else
  redis.call('SET', KEYS[1], ARGV[2])
  redis.call('ZADD', KEYS[2], 0, ARGV[4])
  redis.call('ZADD', KEYS[4], ARGV[6], ARGV[5])
end
return 1
`;
const COMPARE_AND_SET_SHA = createHash("sha1").update(COMPARE_AND_SET_SCRIPT).digest("hex");

/** Newest first: list members are `{13-digit (MAX - createdAt ms)}{id}`, read in lexicographic order. */
const SORT_KEY_MAX = 9_999_999_999_999;
const SORT_KEY_WIDTH = 13;
const MAX_WRITE_ATTEMPTS = 100;

type RecordPatch = Partial<Omit<DocumentRecord, "tenant" | "id">>;

/**
 * `DocumentRepository` on Redis (server mode), shared by every api and worker process.
 *
 * Keys (tenant and id URI-encoded; `{tenant}` is a hash tag, so one tenant's keys share a Cluster slot):
 * - `{prefix}doc:{tenant}:{id}` — the record as JSON;
 * - `{prefix}doc-list:{tenant}` — sorted set in list order (createdAt descending, then id);
 * - `{prefix}doc-status:{tenant}:{status}` — sorted set of ids by updatedAt, for `listByStatus`;
 * - `{prefix}doc-tenants` — tenants that ever had a record.
 *
 * Every write is an optimistic compare-and-set (a Lua script that checks the record is still the
 * one read), retried on conflict, so concurrent `update`s from many processes never lose fields and
 * the indexes always match the records. Safe on a shared client (no WATCH).
 */
export class RedisDocumentRepository implements DocumentRepository {
  private readonly redis: Redis;
  private readonly keyPrefix: string;

  constructor(options: { redis: Redis; keyPrefix: string }) {
    this.redis = options.redis;
    this.keyPrefix = options.keyPrefix;
  }

  async get(tenant: string, id: string): Promise<DocumentRecord | null> {
    return parseRecord(await this.redis.get(this.recordKey(tenant, id)), tenant, id);
  }

  /** Creates or replaces the record. */
  async put(record: DocumentRecord): Promise<void> {
    if (!record.tenant || !record.id) {
      throw new ValidationError("Document record needs a tenant and an id", [{ path: record.tenant ? "id" : "tenant", message: "Required" }]);
    }
    await this.redis.sadd(this.tenantsKey(), encodeURIComponent(record.tenant));
    await this.write(record.tenant, record.id, () => record);
  }

  /** Applies `patch` (undefined values ignored) and sets `updatedAt` to now unless the patch sets it. */
  async update(tenant: string, id: string, patch: RecordPatch): Promise<DocumentRecord | null> {
    const changes = Object.fromEntries(Object.entries(patch).filter(([field, value]) => value !== undefined && field !== "tenant" && field !== "id"));
    return this.write(tenant, id, (current) => (current === null ? undefined : { ...current, updatedAt: new Date().toISOString(), ...changes, tenant, id }));
  }

  async list(tenant: string, options: { limit: number; cursor?: string }): Promise<{ items: DocumentRecord[]; nextCursor: string | null }> {
    if (!Number.isInteger(options.limit) || options.limit < 1) {
      throw new ValidationError("limit must be a positive integer", [{ path: "limit", message: "Expected a positive integer" }]);
    }
    let start = options.cursor === undefined ? "-" : `(${decodeCursor(options.cursor)}`;
    const items: DocumentRecord[] = [];
    for (;;) {
      const wanted = options.limit - items.length;
      // One extra member tells whether another page exists.
      const members = await this.redis.zrangebylex(this.listKey(tenant), start, "+", "LIMIT", 0, wanted + 1);
      const page = members.slice(0, wanted);
      if (page.length > 0) {
        const values = await this.redis.mget(page.map((member) => this.recordKey(tenant, member.slice(SORT_KEY_WIDTH))));
        // A record deleted since the index was read is skipped; the page is filled from the next members.
        values.forEach((value, index) => {
          const record = parseRecord(value, tenant, page[index]!.slice(SORT_KEY_WIDTH));
          if (record !== null) items.push(record);
        });
      }
      const last = page[page.length - 1];
      if (members.length <= wanted || last === undefined) return { items, nextCursor: null };
      if (items.length >= options.limit) return { items, nextCursor: encodeCursor(last) };
      start = `(${last}`;
    }
  }

  /** True when the record existed. */
  async delete(tenant: string, id: string): Promise<boolean> {
    let existed = false;
    await this.write(tenant, id, (current) => {
      existed = current !== null;
      return current === null ? undefined : null;
    });
    return existed;
  }

  /**
   * Records of any tenant whose status is one of `statuses`, least recently updated first, at most
   * `limit` (start-up reconciliation of documents left `processing` by a crashed worker).
   */
  async listByStatus(statuses: DocumentStatus[], limit: number): Promise<DocumentRecord[]> {
    if (!Number.isInteger(limit) || limit < 1) {
      throw new ValidationError("limit must be a positive integer", [{ path: "limit", message: "Expected a positive integer" }]);
    }
    const candidates: Array<{ tenant: string; id: string; score: number }> = [];
    let scanCursor = "0";
    do {
      const [next, encodedTenants] = await this.redis.sscan(this.tenantsKey(), scanCursor, "COUNT", 100);
      scanCursor = next;
      for (const tenant of encodedTenants.map((encoded) => decodeURIComponent(encoded))) {
        for (const status of new Set(statuses)) {
          const entries = await this.redis.zrange(this.statusKey(tenant, status), 0, limit - 1, "WITHSCORES");
          for (let index = 0; index + 1 < entries.length; index += 2) {
            candidates.push({ tenant, id: entries[index]!, score: Number(entries[index + 1]) });
          }
        }
      }
    } while (scanCursor !== "0");
    candidates.sort((left, right) => left.score - right.score);
    const records = await Promise.all(candidates.slice(0, limit).map(({ tenant, id }) => this.get(tenant, id)));
    return records.filter((record): record is DocumentRecord => record !== null && statuses.includes(record.status));
  }

  /**
   * Reads the record, asks `change` for its next value (`undefined` = leave as is, `null` = delete)
   * and writes it only if nobody changed the record in between; otherwise starts over.
   */
  private async write(
    tenant: string,
    id: string,
    change: (current: DocumentRecord | null) => DocumentRecord | null | undefined,
  ): Promise<DocumentRecord | null> {
    const recordKey = this.recordKey(tenant, id);
    for (let attempt = 1; attempt <= MAX_WRITE_ATTEMPTS; attempt += 1) {
      const currentJson = await this.redis.get(recordKey);
      const current = parseRecord(currentJson, tenant, id);
      const next = change(current);
      if (next === undefined) return current;
      const currentStatus = current?.status ?? next?.status ?? "queued";
      const applied = await this.compareAndSet(
        [recordKey, this.listKey(tenant), this.statusKey(tenant, currentStatus), this.statusKey(tenant, next?.status ?? currentStatus)],
        [
          currentJson ?? "",
          next === null ? "" : JSON.stringify(next),
          currentJson === null ? "" : listMember(current?.createdAt, id),
          next === null ? "" : listMember(next.createdAt, id),
          id,
          String(next === null ? 0 : millisecondsOf(next.updatedAt)),
        ],
      );
      if (applied) return next;
    }
    throw new Error(`Document ${id} is being changed too often to update it`);
  }

  private async compareAndSet(keys: string[], args: string[]): Promise<boolean> {
    try {
      return Number(await this.redis.evalsha(COMPARE_AND_SET_SHA, keys.length, ...keys, ...args)) === 1;
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith("NOSCRIPT")) throw error;
      return Number(await this.redis.eval(COMPARE_AND_SET_SCRIPT, keys.length, ...keys, ...args)) === 1;
    }
  }

  private recordKey(tenant: string, id: string): string {
    return `${this.keyPrefix}doc:{${encodeURIComponent(tenant)}}:${encodeURIComponent(id)}`;
  }

  private listKey(tenant: string): string {
    return `${this.keyPrefix}doc-list:{${encodeURIComponent(tenant)}}`;
  }

  private statusKey(tenant: string, status: string): string {
    return `${this.keyPrefix}doc-status:{${encodeURIComponent(tenant)}}:${encodeURIComponent(status)}`;
  }

  private tenantsKey(): string {
    return `${this.keyPrefix}doc-tenants`;
  }
}

function millisecondsOf(timestamp: string | undefined): number {
  const milliseconds = timestamp === undefined ? Number.NaN : Date.parse(timestamp);
  return Number.isFinite(milliseconds) ? milliseconds : 0;
}

function listMember(createdAt: string | undefined, id: string): string {
  const sortKey = SORT_KEY_MAX - Math.min(SORT_KEY_MAX, Math.max(0, millisecondsOf(createdAt)));
  return String(sortKey).padStart(SORT_KEY_WIDTH, "0") + id;
}

function parseRecord(value: string | null, tenant: string, id: string): DocumentRecord | null {
  if (value === null) return null;
  try {
    const record = JSON.parse(value) as Partial<DocumentRecord>;
    return record.tenant === tenant && record.id === id && typeof record.createdAt === "string" ? (record as DocumentRecord) : null;
  } catch {
    return null;
  }
}

function encodeCursor(member: string): string {
  return Buffer.from(member, "utf8").toString("base64url");
}

function decodeCursor(cursor: string): string {
  const member = Buffer.from(cursor, "base64url").toString("utf8");
  if (new RegExp(`^[0-9]{${SORT_KEY_WIDTH}}.`, "s").test(member)) return member;
  throw new ValidationError("Invalid cursor", [{ path: "cursor", message: "Not a cursor returned by a previous page" }]);
}
