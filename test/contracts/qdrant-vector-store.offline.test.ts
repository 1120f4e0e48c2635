import { QdrantClient } from "@qdrant/js-client-rest";
import { v5 as uuidv5 } from "uuid";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { recordingLogger } from "../helpers/recording-logger.js";
import { ConflictError, UpstreamError, UpstreamTimeoutError, UpstreamUnavailableError, ValidationError } from "../../src/core/errors.js";
import { lexicalQueryTerms } from "../../src/core/ranking/lexical-query.js";
import { rankCandidates } from "../../src/core/ranking/rank-candidates.js";
import { QdrantVectorStore, type QdrantVectorStoreSettings } from "../../src/adapters/vector-store/qdrant/qdrant-vector-store.js";
import { DEFAULT_QDRANT_INDEX_SETTINGS } from "../../src/adapters/vector-store/qdrant/qdrant-index-settings.js";
import { bm25DocumentVector } from "../../src/adapters/vector-store/qdrant/bm25-sparse-vector.js";
import { LEXICAL_TERMS_VERSION, chunkIndexTerms } from "../../src/adapters/vector-store/lexical-terms.js";
import type { ChunkPoint } from "../../src/ports/vector-store.js";
import { QdrantOpenApiStandIn, type RecordedRequest } from "./qdrant-openapi-stand-in.js";
import { contractVector, runVectorStoreContract } from "./vector-store.contract.js";

const MODEL = "offline-embedder-v1";
const NAMESPACE = "6f1c2b0e-2a57-4d0b-8b8e-5a0f3c9d7e21";

function settings(overrides: Partial<QdrantVectorStoreSettings> = {}): QdrantVectorStoreSettings {
  return {
    collection: "ragline_offline",
    shardNumber: 1,
    replicationFactor: 1,
    writeConsistencyFactor: 1,
    shardingMethod: "auto",
    dedicatedShardTenants: [],
    upsertBatchSize: 256,
    ...overrides,
  };
}

function point(chunkIndex: number, overrides: { tenant?: string; documentId?: string; text?: string; vector?: number[] } = {}): ChunkPoint {
  const tenant = overrides.tenant ?? "tenant-a";
  const documentId = overrides.documentId ?? "doc-1";
  const text = overrides.text ?? `chunk ${chunkIndex} about qdrant`;
  return {
    id: uuidv5(`${tenant}\u0000${documentId}\u0000${chunkIndex}`, NAMESPACE),
    tenant,
    text,
    vector: overrides.vector ?? contractVector(1, chunkIndex / 10),
    metadata: {
      documentId,
      title: "Title",
      source: `${documentId}.md`,
      chunkIndex,
      start: chunkIndex * 10,
      end: chunkIndex * 10 + text.length,
      headingPath: ["Intro"],
      page: null,
      contentHash: `hash-${chunkIndex}`,
      embeddingModel: MODEL,
    },
  };
}

/** Every Qdrant filter inside a recorded query body (top level, searches, prefetches). */
function filtersIn(body: unknown): unknown[] {
  const found: unknown[] = [];
  const visit = (node: unknown) => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!node || typeof node !== "object") return;
    for (const [key, value] of Object.entries(node)) {
      if (key === "filter") found.push(value);
      else visit(value);
    }
  };
  visit(body);
  return found;
}

const tenantCondition = (tenant: string) => ({ key: "tenant", match: { value: tenant } });

describe("QdrantVectorStore against a spec-validating stand-in (offline, not a live Qdrant)", () => {
  let standIn: QdrantOpenApiStandIn;
  let client: QdrantClient;

  beforeEach(async () => {
    standIn = await QdrantOpenApiStandIn.start();
    client = new QdrantClient({ url: standIn.url, checkCompatibility: false });
  });

  afterEach(async () => {
    vi.restoreAllMocks();
    await standIn.stop();
    expect(standIn.violations, "requests or responses that violate Qdrant's OpenAPI spec").toEqual([]);
  });

  const store = (overrides: Partial<QdrantVectorStoreSettings> = {}) => new QdrantVectorStore(client, settings(overrides));
  const bodies = (operationId: string) => standIn.requestsFor(operationId).map((request) => request.body as Record<string, unknown>);

  it("creates the collection with named dense + BM25 sparse vectors, sharding, replication and payload indexes", async () => {
    const logger = recordingLogger();
    const subject = store({ shardNumber: 3, replicationFactor: 2, writeConsistencyFactor: 2, logger });
    await subject.ensureCollection({ dimension: 8, model: MODEL });
    expect(logger.lines.filter((line) => line.level === "info").map((line) => line.message)).toEqual(["Qdrant collection created"]);
    const [create] = bodies("create_collection");
    expect(create).toEqual({
      vectors: { dense: { size: 8, distance: "Cosine", on_disk: false } },
      sparse_vectors: { bm25: { modifier: "idf" } },
      hnsw_config: { m: 16, payload_m: 16, ef_construct: 100 },
      on_disk_payload: true,
      optimizers_config: { indexing_threshold: 20_000 },
      quantization_config: { scalar: { type: "int8", quantile: 0.99, always_ram: true } },
      shard_number: 3,
      replication_factor: 2,
      write_consistency_factor: 2,
      sharding_method: "auto",
      metadata: { ragline: { embeddingModel: MODEL, dimension: 8, lexicalTerms: LEXICAL_TERMS_VERSION } },
    });
    const indexes = standIn.requestsFor("create_field_index");
    expect(indexes.map((request) => request.body)).toEqual([
      { field_name: "tenant", field_schema: { type: "keyword", is_tenant: true } },
      { field_name: "metadata.documentId", field_schema: { type: "keyword" } },
      { field_name: "metadata.source", field_schema: { type: "keyword" } },
    ]);
    expect(indexes.every((request) => request.query.wait === "true")).toBe(true);

    await store().ensureCollection({ dimension: 8, model: MODEL });
    expect(standIn.requestsFor("create_collection")).toHaveLength(1);
    expect(standIn.requestsFor("create_field_index")).toHaveLength(3);
    expect(standIn.requestsFor("update_collection")).toEqual([]);
  });

  it("brings an existing collection to the configured index settings, and searches with the beam width and exact rescoring", async () => {
    await store().ensureCollection({ dimension: 8, model: MODEL });
    const index = { ...DEFAULT_QDRANT_INDEX_SETTINGS, bulkLoad: true, hnswM: 0, vectorsOnDisk: true };
    const bulk = store({ index });
    await bulk.ensureCollection({ dimension: 8, model: MODEL });
    expect(bodies("update_collection")).toEqual([
      { hnsw_config: { m: 0, payload_m: 16, ef_construct: 100 }, vectors: { dense: { on_disk: true } }, optimizers_config: { indexing_threshold: 0 } },
    ]);
    await store({ index }).ensureCollection({ dimension: 8, model: MODEL });
    expect(bodies("update_collection")).toHaveLength(1);

    const done = store({ index: { ...index, bulkLoad: false, quantization: "none" } });
    await done.ensureCollection({ dimension: 8, model: MODEL });
    expect(bodies("update_collection")[1]).toEqual({ quantization_config: "Disabled", optimizers_config: { indexing_threshold: 20_000 } });

    await bulk.upsert([point(0)]);
    await bulk.candidates({ tenant: "tenant-a", dense: contractVector(1), lexicalTerms: lexicalQueryTerms("qdrant"), limit: 5 });
    await done.candidates({ tenant: "tenant-a", dense: contractVector(1), lexicalTerms: lexicalQueryTerms("qdrant"), limit: 5 });
    const [quantised, plain] = bodies("query_batch_points").map((body) => (body.searches as Array<Record<string, unknown>>)[0]!.params);
    expect(quantised).toEqual({ hnsw_ef: 128, quantization: { rescore: true, oversampling: 2 } });
    expect(plain).toEqual({ hnsw_ef: 128 });
  });

  it("with custom sharding creates the default and dedicated shard keys and routes each tenant", async () => {
    const subject = store({ shardingMethod: "custom", dedicatedShardTenants: ["big-tenant"] });
    await subject.ensureCollection({ dimension: 8, model: MODEL });
    expect(bodies("create_collection")[0]).toMatchObject({ sharding_method: "custom" });
    expect(bodies("create_shard_key")).toEqual([{ shard_key: "default" }, { shard_key: "big-tenant" }]);

    await subject.upsert([point(0, { tenant: "big-tenant" }), point(0, { tenant: "small-tenant" })]);
    expect(bodies("upsert_points").map((body) => [body.shard_key, (body.points as Array<{ payload: { tenant: string } }>)[0]!.payload.tenant])).toEqual([
      ["big-tenant", "big-tenant"],
      ["default", "small-tenant"],
    ]);
    expect(await subject.count("big-tenant")).toBe(1);
    expect(bodies("count_points").at(-1)).toMatchObject({ shard_key: "big-tenant", exact: true });
    const lists = await subject.candidates({ tenant: "small-tenant", dense: contractVector(1), lexicalTerms: lexicalQueryTerms("qdrant"), limit: 10 });
    expect([...lists.dense, ...lists.lexical].map((candidate) => candidate.tenant)).toEqual(["small-tenant", "small-tenant"]);
    const searches = bodies("query_batch_points").at(-1)!.searches as Array<Record<string, unknown>>;
    expect(searches.every((search) => search.shard_key === "default")).toBe(true);

    await store({ shardingMethod: "custom", dedicatedShardTenants: ["big-tenant", "new-big-tenant"] }).ensureCollection({ dimension: 8, model: MODEL });
    expect(bodies("create_shard_key").map((body) => body.shard_key)).toEqual(["default", "big-tenant", "new-big-tenant"]);
  });

  it("rebuilds the sparse vectors of a collection written with another lexical analysis, per shard key, once", async () => {
    const subject = store({ shardingMethod: "custom", dedicatedShardTenants: ["big-tenant"], upsertBatchSize: 300 });
    await subject.ensureCollection({ dimension: 8, model: MODEL });
    const points = [
      ...Array.from({ length: 300 }, (_, index) => point(index, { text: `Brewing notes ${index}: yeasts ferment worts` })),
      point(0, { tenant: "big-tenant", text: "zymurgy is the science of fermentation" }),
      { ...point(1, { tenant: "big-tenant", text: "the of and" }), metadata: { ...point(1).metadata, title: "" } },
    ];
    await subject.upsert(points);
    // What an earlier version left: other terms (here one bogus index per point) and no recorded analysis.
    const collection = standIn.model.collection("ragline_offline");
    for (const stored of collection.points.values()) stored.sparse.bm25 = { indices: [7], values: [1] };
    collection.createBody = { ...collection.createBody, metadata: { ragline: { embeddingModel: MODEL, dimension: 8 } } };

    const logger = recordingLogger();
    const upgraded = store({ shardingMethod: "custom", dedicatedShardTenants: ["big-tenant"], logger });
    await upgraded.ensureCollection({ dimension: 8, model: MODEL });
    for (const expected of points) {
      const stored = [...collection.points.values()].find((candidate) => candidate.id === expected.id && candidate.payload.tenant === expected.tenant)!;
      const rebuilt = bm25DocumentVector(chunkIndexTerms(expected));
      if (rebuilt.indices.length === 0) expect(stored.sparse.bm25).toBeUndefined();
      else expect(stored.sparse.bm25).toEqual(rebuilt);
    }
    expect(bodies("scroll_points").length).toBeGreaterThanOrEqual(2);
    expect(new Set(bodies("update_vectors").map((body) => body.shard_key))).toEqual(new Set(["default", "big-tenant"]));
    expect(bodies("delete_vectors")).toEqual([{ points: [points[301]!.id], vector: ["bm25"], shard_key: "big-tenant" }]);
    expect(bodies("update_collection")).toEqual([{ metadata: { ragline: { embeddingModel: MODEL, dimension: 8, lexicalTerms: LEXICAL_TERMS_VERSION } } }]);
    expect(logger.lines.some((line) => line.level === "warn" && /rebuilding/.test(line.message))).toBe(true);
    const lists = await upgraded.candidates({ tenant: "big-tenant", dense: contractVector(1), lexicalTerms: lexicalQueryTerms("fermenting"), limit: 5 });
    expect(lists.lexical.map((candidate) => candidate.id)).toEqual([points[300]!.id]);

    const scrolls = bodies("scroll_points").length;
    await store({ shardingMethod: "custom", dedicatedShardTenants: ["big-tenant"] }).ensureCollection({ dimension: 8, model: MODEL });
    expect(bodies("scroll_points")).toHaveLength(scrolls);
  });

  it("refuses another model, dimension or sharding method with ConflictError naming both", async () => {
    await store().ensureCollection({ dimension: 8, model: MODEL });
    const error = await store()
      .ensureCollection({ dimension: 8, model: "other-model" })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as Error).message).toContain(MODEL);
    expect((error as Error).message).toContain("other-model");
    await expect(store().ensureCollection({ dimension: 16, model: MODEL })).rejects.toThrow(/dimension 8.*dimension 16/);
    await expect(store({ shardingMethod: "custom" }).ensureCollection({ dimension: 8, model: MODEL })).rejects.toBeInstanceOf(ConflictError);
    expect(standIn.requestsFor("create_collection")).toHaveLength(1);
  });

  it("upserts in batches with wait=true, deterministic ids and the page_content/metadata/tenant payload", async () => {
    const subject = store({ upsertBatchSize: 2 });
    await subject.ensureCollection({ dimension: 8, model: MODEL });
    const points = [0, 1, 2, 3, 4].map((chunkIndex) => point(chunkIndex, { text: `The wombat digs burrows ${chunkIndex}` }));
    await subject.upsert(points);
    const upserts = standIn.requestsFor("upsert_points");
    expect(upserts.map((request) => (request.body as { points: unknown[] }).points.length)).toEqual([2, 2, 1]);
    expect(upserts.every((request) => request.query.wait === "true")).toBe(true);
    const first = (upserts[0]!.body as { points: Array<Record<string, any>> }).points[0]!;
    expect(first.id).toBe(points[0]!.id);
    expect(first.payload).toEqual({ page_content: points[0]!.text, metadata: points[0]!.metadata, tenant: "tenant-a" });
    expect(first.vector.dense).toEqual(points[0]!.vector);
    expect(first.vector.bm25.indices.length).toBe(first.vector.bm25.values.length);
    expect(first.vector.bm25.indices.length).toBeGreaterThan(0);

    await subject.upsert(points);
    expect(await subject.count("tenant-a")).toBe(5);
    await expect(subject.upsert([{ ...point(9), id: "not-a-uuid" }])).rejects.toBeInstanceOf(ValidationError);
    expect(standIn.requestsFor("upsert_points")).toHaveLength(6);
  });

  it("deletes a document by tenant + documentId filter, or only its tail with a chunkIndex range", async () => {
    const subject = store();
    await subject.ensureCollection({ dimension: 8, model: MODEL });
    await subject.upsert([0, 1, 2, 3].map((chunkIndex) => point(chunkIndex)));
    await subject.upsert([point(0, { documentId: "doc-2" })]);

    await subject.deleteDocument("tenant-a", "doc-1", { fromChunkIndex: 2 });
    const [tail] = standIn.requestsFor("delete_points");
    expect(tail!.query.wait).toBe("true");
    expect(tail!.body).toEqual({
      filter: {
        must: [tenantCondition("tenant-a"), { key: "metadata.documentId", match: { value: "doc-1" } }, { key: "metadata.chunkIndex", range: { gte: 2 } }],
      },
    });
    expect(await subject.count("tenant-a", "doc-1")).toBe(2);

    await subject.deleteDocument("tenant-a", "doc-1");
    expect(standIn.requestsFor("delete_points")[1]!.body).toEqual({
      filter: { must: [tenantCondition("tenant-a"), { key: "metadata.documentId", match: { value: "doc-1" } }] },
    });
    expect(await subject.count("tenant-a", "doc-1")).toBe(0);
    expect(await subject.count("tenant-a")).toBe(1);
  });

  it("asks for both candidate lists in one Query API batch: dense and BM25, no fusion or threshold, tenant in every filter", async () => {
    const subject = store();
    await subject.ensureCollection({ dimension: 8, model: MODEL });
    const lexicalPoint = point(1, { text: "brewing science is called zymurgy", vector: contractVector(1, 2) });
    await subject.upsert([
      point(0, { text: "ordinary paragraph", vector: contractVector(1) }),
      lexicalPoint,
      point(2, { text: "unrelated", vector: contractVector(0, 0, 1) }),
      point(0, { tenant: "tenant-b", text: "zymurgy for tenant b", vector: contractVector(1) }),
    ]);
    const lists = await subject.candidates({
      tenant: "tenant-a",
      dense: contractVector(1),
      lexicalTerms: lexicalQueryTerms("What is zymurgy?"),
      limit: 10,
      filter: { documentIds: ["doc-1", "doc-1"], sources: ["doc-1.md"] },
    });

    const requests = standIn.requestsFor("query_batch_points") as RecordedRequest[];
    expect(requests).toHaveLength(1);
    const searches = (requests[0]!.body as { searches: Array<Record<string, any>> }).searches;
    expect(searches).toHaveLength(2);
    expect(searches[0]).toMatchObject({ using: "dense", limit: 10, query: contractVector(1), with_payload: true, with_vector: false });
    expect(searches[1]).toMatchObject({ using: "bm25", limit: 10, with_payload: true, with_vector: ["dense"] });
    expect(searches[1]!.query.indices.length).toBe(1);
    for (const search of searches) {
      expect(search).not.toHaveProperty("prefetch");
      expect(search).not.toHaveProperty("score_threshold");
    }
    const filters = filtersIn(requests[0]!.body);
    expect(filters.length).toBe(searches.length);
    for (const filter of filters) {
      expect(filter).toEqual({
        must: [
          tenantCondition("tenant-a"),
          { key: "metadata.documentId", match: { any: ["doc-1"] } },
          { key: "metadata.source", match: { any: ["doc-1.md"] } },
        ],
      });
    }

    expect(lists.dense.map((candidate) => [candidate.metadata.chunkIndex, candidate.score])).toEqual([
      [0, expect.closeTo(1, 6)],
      [1, expect.closeTo(1 / Math.sqrt(5), 6)],
      [2, expect.closeTo(0, 6)],
    ]);
    expect(lists.lexical).toHaveLength(1);
    expect(lists.lexical[0]).toMatchObject({ id: lexicalPoint.id, text: lexicalPoint.text, metadata: lexicalPoint.metadata, tenant: "tenant-a" });
    expect(lists.lexical[0]!.score).toBeGreaterThan(0);
    expect(lists.lexical[0]!.similarity).toBeCloseTo(1 / Math.sqrt(5), 6);

    // Ranked by the core as on every store: fused first, threshold on dense after fusion, the rest cut.
    const ranked = rankCandidates(lists, { topK: 5, candidateK: 10, minScore: 0.3 });
    expect(ranked.hits.map((hit) => hit.candidate.metadata.chunkIndex)).toEqual([1, 0]);
    expect(ranked.hits[0]!.scores).toMatchObject({ textRank: 1, denseRank: 2 });
    expect(ranked.hits[1]!.scores).toMatchObject({ denseRank: 1, textRank: null, text: null });
    expect(ranked.cut.map((hit) => [hit.candidate.metadata.chunkIndex, hit.scores.denseRank])).toEqual([[2, 3]]);
    expect(ranked.cut[0]!.scores.fused).toBeGreaterThan(0);
  });

  it("sends no lexical side for a chunk or question without terms, and no request at all for an empty filter list", async () => {
    const subject = store();
    await subject.ensureCollection({ dimension: 8, model: MODEL });
    const withoutTerms = point(0, { text: "The, of, and?" });
    await subject.upsert([{ ...withoutTerms, metadata: { ...withoutTerms.metadata, title: "What is it?" } }]);
    const [upsert] = bodies("upsert_points") as Array<{ points: Array<{ vector: Record<string, unknown> }> }>;
    expect(Object.keys(upsert!.points[0]!.vector)).toEqual(["dense"]);
    const lists = await subject.candidates({ tenant: "tenant-a", dense: contractVector(1), lexicalTerms: lexicalQueryTerms("the of ?!"), limit: 5 });
    expect(lists.dense).toHaveLength(1);
    expect(lists.lexical).toEqual([]);
    const searches = (standIn.requestsFor("query_batch_points")[0]!.body as { searches: Array<Record<string, unknown>> }).searches;
    expect(searches).toHaveLength(1);
    expect(searches[0]!.using).toBe("dense");
    expect(await subject.candidates({ tenant: "tenant-a", dense: contractVector(1), limit: 5, filter: { sources: [] } })).toEqual({
      dense: [],
      lexical: [],
    });
    expect(standIn.requestsFor("query_batch_points")).toHaveLength(1);
  });

  it("counts exactly and reports health up, then down with UpstreamUnavailableError once Qdrant is gone", async () => {
    const subject = store();
    expect(await subject.health()).toEqual({ status: "up", detail: "collection not created yet" });
    await subject.ensureCollection({ dimension: 8, model: MODEL });
    await subject.upsert([point(0), point(1)]);
    expect(await subject.count("tenant-a")).toBe(2);
    expect(bodies("count_points")[0]).toEqual({ filter: { must: [tenantCondition("tenant-a")] }, exact: true });
    expect(await subject.health()).toEqual({ status: "up" });

    await standIn.stop();
    const health = await subject.health();
    expect(health.status).toBe("down");
    expect(health.detail).toMatch(/unreachable/);
    await expect(subject.candidates({ tenant: "tenant-a", dense: contractVector(1), limit: 5 })).rejects.toBeInstanceOf(UpstreamUnavailableError);
    await expect(subject.count("tenant-a")).rejects.toBeInstanceOf(UpstreamUnavailableError);
  });

  it("maps a 4xx from Qdrant to UpstreamError without the API key, and a slow answer to UpstreamTimeoutError", async () => {
    const apiKey = "super-secret-qdrant-key";
    // The client warns about an API key over plain HTTP; expected on loopback.
    vi.spyOn(console, "warn").mockImplementation(() => {});
    const keyed = new QdrantClient({ url: standIn.url, apiKey, https: false, checkCompatibility: false, timeout: 200 });
    const subject = new QdrantVectorStore(keyed, settings());
    await subject.ensureCollection({ dimension: 8, model: MODEL });
    standIn.model.collection("ragline_offline").denseVectors.dense!.size = 4;
    const error = await subject.upsert([point(0)]).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UpstreamError);
    expect((error as Error).message).toMatch(/HTTP 400: Wrong input: Vector dimension error/);
    expect(JSON.stringify({ message: (error as Error).message, details: (error as UpstreamError).details })).not.toContain(apiKey);

    standIn.responseDelayMs = 500;
    await expect(subject.count("tenant-a")).rejects.toBeInstanceOf(UpstreamTimeoutError);
  });

  it("the validator catches requests that violate the spec (so a clean run means something)", async () => {
    const response = await fetch(`${standIn.url}/collections/anything/points/query`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ prefetch: [{ using: 5, limit: 0 }], query: { fusion: "borda" }, score_treshold: 0.5 }),
    });
    expect(response.status).toBe(500);
    const badQuery = await fetch(`${standIn.url}/collections/anything/points?wait=maybe`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: '{"points":[]}',
    });
    expect(badQuery.status).toBe(500);
    const badRoute = await fetch(`${standIn.url}/collections/anything/pointz`, { method: "GET" });
    expect(badRoute.status).toBe(500);

    // The stand-in's own answers are checked too: a collection info with shard_number 0 breaks the response schema.
    await store().ensureCollection({ dimension: 8, model: MODEL });
    standIn.model.collection("ragline_offline").createBody.shard_number = 0;
    await expect(client.getCollection("ragline_offline")).rejects.toThrow();

    expect(standIn.violations.map((violation) => violation.where)).toEqual(["body", "query", "route", "response"]);
    expect(JSON.stringify(standIn.violations[3]!.errors)).toContain("/config/params/shard_number");
    const bodyErrors = JSON.stringify(standIn.violations[0]!.errors);
    expect(bodyErrors).toContain("score_treshold");
    expect(bodyErrors).toContain("/prefetch/0/using");
    expect(bodyErrors).toContain("/query/fusion");
    standIn.violations.length = 0;
  });
});

runVectorStoreContract({
  name: "QdrantVectorStore on the spec-validating stand-in (offline, not a live Qdrant)",
  create: async () => {
    const standIn = await QdrantOpenApiStandIn.start();
    const client = new QdrantClient({ url: standIn.url, checkCompatibility: false });
    const open = async () => new QdrantVectorStore(client, settings({ collection: "ragline_contract", upsertBatchSize: 3 }));
    return {
      store: await open(),
      reopen: open,
      cleanup: async () => {
        await standIn.stop();
        expect(standIn.violations, "requests or responses that violate Qdrant's OpenAPI spec").toEqual([]);
      },
    };
  },
});
