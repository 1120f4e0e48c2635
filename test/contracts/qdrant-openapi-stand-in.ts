/**
 * A STAND-IN for a Qdrant server, for offline tests only — not Qdrant, and no evidence of how a real
 * Qdrant behaves beyond what its OpenAPI spec says.
 *
 * It listens on 127.0.0.1 (random port) and, for every request, finds the operation in Qdrant's own
 * OpenAPI 3.0 spec (openapi-v1.19.json) by method and path template, then validates path parameters,
 * query parameters and the JSON body against the spec's schemas with ajv. Request objects are checked
 * "closed" (a property the spec does not declare is a violation — stricter than Qdrant, which ignores
 * unknown fields, so typos cannot pass silently). An invalid request gets HTTP 500 with the ajv errors
 * and is recorded in `violations`; every response the stand-in sends is validated against the spec's
 * response schema too. A small in-memory model (points, filters, cosine, sparse dot product with IDF,
 * RRF fusion) makes upsert/count/delete/query answer plausibly; it is deliberately minimal.
 */
import { readFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";

export const QDRANT_OPENAPI_SPEC_URL = new URL("../../../shared/qdrant/openapi-v1.19.json", import.meta.url);

type Json = unknown;
type JsonObject = Record<string, unknown>;

export interface RecordedRequest {
  method: string;
  path: string;
  operationId: string | null;
  query: Record<string, string>;
  body: Json;
}

export interface SpecViolation {
  method: string;
  path: string;
  operationId: string | null;
  where: "route" | "path" | "query" | "body" | "response" | "unsupported";
  errors: unknown;
}

interface Operation {
  operationId: string;
  method: string;
  template: string;
  pattern: RegExp;
  literalSegments: number;
  pathParameters: string[];
  parameters: Array<{ name: string; in: string; required?: boolean; schema?: JsonObject }>;
  bodySchema: JsonObject | null;
  responses: JsonObject;
}

const SPEC_ID = "qdrant-openapi";
const UINT_LIMITS: Record<string, number> = {
  uint8: 255,
  uint16: 65_535,
  uint32: 4_294_967_295,
  uint64: Number.MAX_SAFE_INTEGER,
  uint: Number.MAX_SAFE_INTEGER,
};

/**
 * OpenAPI 3.0 schema → JSON Schema for ajv: `nullable` becomes a `null` type (a bare `{nullable: true}`
 * inside `anyOf` means "or null"), `example` is dropped, `$ref`s point into the spec document, and with
 * `closeObjects` an object with declared `properties` and no `additionalProperties` refuses others.
 */
export function toJsonSchema(node: unknown, closeObjects: boolean): unknown {
  if (Array.isArray(node)) return node.map((item) => toJsonSchema(item, closeObjects));
  if (node === null || typeof node !== "object") return node;
  const source = node as JsonObject;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(source)) {
    if (key === "example" || key === "nullable") continue;
    if (key === "$ref" && typeof value === "string") out.$ref = value.replace(/^#\//, `${SPEC_ID}#/`);
    else if (key === "properties" && value && typeof value === "object") {
      out.properties = Object.fromEntries(Object.entries(value).map(([name, schema]) => [name, toJsonSchema(schema, closeObjects)]));
    } else out[key] = toJsonSchema(value, closeObjects);
  }
  if (closeObjects && out.properties && out.additionalProperties === undefined && (out.type === undefined || out.type === "object")) {
    out.additionalProperties = false;
  }
  if (source.nullable !== true) return out;
  if (typeof out.type === "string") {
    out.type = [out.type, "null"];
    if (Array.isArray(out.enum)) out.enum = [...out.enum, null];
    return out;
  }
  const { description: _description, default: _default, ...rest } = out;
  if (Object.keys(rest).length === 0) return { type: "null" };
  return { anyOf: [rest, { type: "null" }] };
}

function createValidator(spec: JsonObject, closeObjects: boolean): Ajv {
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
  addFormatsModule.default(ajv);
  for (const [name, maximum] of Object.entries(UINT_LIMITS)) {
    ajv.addFormat(name, { type: "number", validate: (value: number) => Number.isInteger(value) && value >= 0 && value <= maximum });
  }
  ajv.addFormat("int64", { type: "number", validate: (value: number) => Number.isSafeInteger(value) });
  ajv.addFormat("int32", { type: "number", validate: (value: number) => Number.isInteger(value) && Math.abs(value) <= 2_147_483_648 });
  ajv.addFormat("float", { type: "number", validate: (value: number) => Number.isFinite(value) && Math.abs(value) <= 3.4028234663852886e38 });
  ajv.addFormat("double", { type: "number", validate: (value: number) => Number.isFinite(value) });
  ajv.addFormat("binary", true);
  ajv.addFormat("partial-date-time", true);
  const components = spec.components as JsonObject;
  ajv.addSchema({ $id: SPEC_ID, components: { schemas: toJsonSchema(components.schemas, closeObjects) } });
  return ajv;
}

function indexOperations(spec: JsonObject): Operation[] {
  const operations: Operation[] = [];
  for (const [template, methods] of Object.entries(spec.paths as Record<string, JsonObject>)) {
    for (const [method, raw] of Object.entries(methods)) {
      const operation = raw as JsonObject;
      if (typeof operation.operationId !== "string") continue;
      const segments = template.split("/").filter(Boolean);
      const pathParameters: string[] = [];
      const pattern = segments
        .map((segment) => {
          const parameter = /^\{(.+)\}$/.exec(segment);
          if (!parameter) return segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
          pathParameters.push(parameter[1]!);
          return "([^/]+)";
        })
        .join("/");
      const content = ((operation.requestBody as JsonObject | undefined)?.content ?? {}) as JsonObject;
      operations.push({
        operationId: operation.operationId,
        method: method.toUpperCase(),
        template,
        pattern: new RegExp(`^/${pattern}/?$`),
        literalSegments: segments.length - pathParameters.length,
        pathParameters,
        parameters: (operation.parameters ?? []) as Operation["parameters"],
        bodySchema: ((content["application/json"] as JsonObject | undefined)?.schema as JsonObject | undefined) ?? null,
        responses: operation.responses as JsonObject,
      });
    }
  }
  // Literal segments win over templates ("/collections/aliases" before "/collections/{collection_name}").
  return operations.sort((left, right) => right.literalSegments - left.literalSegments);
}

/** Query strings are text: coerce them by the parameter's declared type before validating. */
function coerceQueryValue(value: string, schema: JsonObject | undefined): unknown {
  const type = schema?.type;
  if (type === "integer" || type === "number") return value.trim() !== "" && !Number.isNaN(Number(value)) ? Number(value) : value;
  if (type === "boolean") return value === "true" ? true : value === "false" ? false : value;
  if (schema?.$ref && /^\d+$/.test(value)) return Number(value);
  return value;
}

interface CompiledSpec {
  operations: Operation[];
  requestAjv: Ajv;
  responseAjv: Ajv;
  validators: Map<string, ValidateFunction>;
}

/** Compiling the spec takes a while: one compiled copy per spec file per test process. */
const compiledSpecs = new Map<string, Promise<CompiledSpec>>();

function compileSpec(specUrl: URL): Promise<CompiledSpec> {
  let compiled = compiledSpecs.get(specUrl.href);
  if (!compiled) {
    compiled = readFile(specUrl, "utf8").then((text) => {
      const spec = JSON.parse(text) as JsonObject;
      return { operations: indexOperations(spec), requestAjv: createValidator(spec, true), responseAjv: createValidator(spec, false), validators: new Map() };
    });
    compiledSpecs.set(specUrl.href, compiled);
  }
  return compiled;
}

export class QdrantOpenApiStandIn {
  readonly requests: RecordedRequest[] = [];
  readonly violations: SpecViolation[] = [];
  readonly model = new QdrantModel();
  /** Milliseconds every answer is held back (to drive client timeouts). */
  responseDelayMs = 0;

  private constructor(
    private readonly server: Server,
    readonly url: string,
    private readonly spec: CompiledSpec,
  ) {}

  /** Loads and compiles the spec (once per process) and starts listening on 127.0.0.1 at `port` (default: a free one). */
  static async start(specUrl: URL = QDRANT_OPENAPI_SPEC_URL, options: { port?: number } = {}): Promise<QdrantOpenApiStandIn> {
    const spec = await compileSpec(specUrl);
    let standIn: QdrantOpenApiStandIn | null = null;
    const server = createServer((request, response) => {
      standIn!.handle(request, response).catch((error: unknown) => {
        // A failure of the stand-in itself (e.g. a schema ajv cannot compile) must fail the test, not hang it.
        standIn!.violations.push({ method: request.method ?? "", path: request.url ?? "", operationId: null, where: "unsupported", errors: String(error) });
        if (!response.headersSent) send(response, 500, { status: { error: "stand-in failure" }, time: 0 });
      });
    });
    await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    standIn = new QdrantOpenApiStandIn(server, `http://127.0.0.1:${port}`, spec);
    return standIn;
  }

  /** Requests recorded for one operation id, oldest first. */
  requestsFor(operationId: string): RecordedRequest[] {
    return this.requests.filter((request) => request.operationId === operationId);
  }

  /** Stops listening and drops open keep-alive connections, so clients get "connection refused" from now on. */
  async stop(): Promise<void> {
    if (!this.server.listening) return;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  /** ajv errors of `value` against a spec schema (requests: closed objects; responses: as written). */
  private check(kind: "request" | "response", key: string, schema: unknown, value: unknown): ErrorObject[] {
    const cacheKey = `${kind}:${key}`;
    let validate = this.spec.validators.get(cacheKey);
    if (!validate) {
      const ajv = kind === "request" ? this.spec.requestAjv : this.spec.responseAjv;
      validate = ajv.compile(toJsonSchema(schema, kind === "request") as JsonObject);
      this.spec.validators.set(cacheKey, validate);
    }
    return validate(value) ? [] : [...(validate.errors ?? [])];
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const method = request.method ?? "GET";
    const url = new URL(request.url ?? "/", this.url);
    const rawBody = await readBody(request);
    const query = Object.fromEntries(url.searchParams);
    const operation = this.spec.operations.find((candidate) => candidate.method === method && candidate.pattern.test(url.pathname)) ?? null;
    const record: RecordedRequest = { method, path: url.pathname, operationId: operation?.operationId ?? null, query, body: undefined };
    this.requests.push(record);
    const violate = (where: SpecViolation["where"], errors: unknown) => {
      this.violations.push({ method, path: url.pathname, operationId: record.operationId, where, errors });
      send(response, 500, { status: { error: `Request violates Qdrant's OpenAPI spec (${where})`, where, errors }, time: 0 });
    };
    if (!operation) return violate("route", `no operation for ${method} ${url.pathname}`);

    const pathValues = operation.pattern.exec(url.pathname)!.slice(1).map(decodeURIComponent);
    const pathErrors: unknown[] = [];
    const path: Record<string, string> = {};
    operation.pathParameters.forEach((name, index) => {
      path[name] = pathValues[index]!;
      const definition = operation.parameters.find((parameter) => parameter.in === "path" && parameter.name === name);
      const errors = this.check(
        "request",
        `${operation.operationId}:path:${name}`,
        definition?.schema ?? {},
        coerceQueryValue(path[name]!, definition?.schema),
      );
      if (errors.length > 0) pathErrors.push({ parameter: name, errors });
    });
    if (pathErrors.length > 0) return violate("path", pathErrors);

    const queryErrors: unknown[] = [];
    for (const [name, value] of Object.entries(query)) {
      const definition = operation.parameters.find((parameter) => parameter.in === "query" && parameter.name === name);
      if (!definition) {
        queryErrors.push({ parameter: name, message: "not declared by the spec" });
        continue;
      }
      const errors = this.check("request", `${operation.operationId}:query:${name}`, definition.schema ?? {}, coerceQueryValue(value, definition.schema));
      if (errors.length > 0) queryErrors.push({ parameter: name, errors });
    }
    for (const definition of operation.parameters) {
      if (definition.in === "query" && definition.required && !(definition.name in query))
        queryErrors.push({ parameter: definition.name, message: "required" });
    }
    if (queryErrors.length > 0) return violate("query", queryErrors);

    if (rawBody.length > 0) {
      try {
        record.body = JSON.parse(rawBody);
      } catch {
        return violate("body", "body is not JSON");
      }
      if (!operation.bodySchema) return violate("body", "the operation takes no JSON body");
      const errors = this.check("request", `${operation.operationId}:body`, operation.bodySchema, record.body);
      if (errors.length > 0) return violate("body", errors);
    }

    if (this.responseDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.responseDelayMs));
    let status = 200;
    let payload: unknown;
    try {
      const result = this.model.handle(operation.operationId, path, query, record.body);
      if (result === undefined) return violate("unsupported", `the stand-in does not implement ${operation.operationId}`);
      payload = operation.operationId === "healthz" ? result : { result, status: "ok", time: 0.0001 };
    } catch (error) {
      if (!(error instanceof StandInHttpError)) {
        return violate("unsupported", error instanceof Error ? error.message : String(error));
      }
      status = error.status;
      payload = { status: { error: error.message }, time: 0.0001 };
    }
    const responseSpec = (operation.responses[String(status)] ?? operation.responses[`${String(status)[0]}XX`] ?? operation.responses.default) as
      JsonObject | undefined;
    const content = (responseSpec?.content ?? {}) as JsonObject;
    const mediaType = typeof payload === "string" ? "text/plain" : "application/json";
    const schema = (content[mediaType] as JsonObject | undefined)?.schema;
    if (!schema) return violate("response", `the spec declares no ${mediaType} response ${status} for ${operation.operationId}`);
    const errors = this.check("response", `${operation.operationId}:response:${status}`, schema, payload);
    if (errors.length > 0) return violate("response", errors);
    send(response, status, payload);
  }
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });
}

function send(response: ServerResponse, status: number, payload: unknown): void {
  const text = typeof payload === "string";
  response.writeHead(status, { "content-type": text ? "text/plain" : "application/json" });
  response.end(text ? payload : JSON.stringify(payload));
}

/* ------------------------------------------------------------------------------------------------
 * The stand-in's in-memory model: enough of Qdrant's behaviour for an adapter to be exercised. Scoring
 * follows Qdrant's documented semantics only roughly (cosine on normalised vectors, sparse dot product
 * with IDF ln(1 + (N − n + 0.5)/(n + 0.5)), RRF Σ 1/(k + 0-based rank) with k = 2); do not read
 * Qdrant's exact numbers into it.
 * ---------------------------------------------------------------------------------------------- */

/** An error the stand-in answers with, in Qdrant's `{status: {error}}` shape. */
export class StandInHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

interface Sparse {
  indices: number[];
  values: number[];
}

export interface StoredPoint {
  id: string | number;
  shardKey: string | number | null;
  dense: Record<string, number[]>;
  sparse: Record<string, Sparse>;
  payload: JsonObject;
}

export interface StoredCollection {
  name: string;
  createBody: JsonObject;
  denseVectors: Record<string, { size: number; distance: string }>;
  sparseVectors: Record<string, { modifier?: string | null }>;
  shardingMethod: "auto" | "custom";
  shardKeys: Array<string | number>;
  payloadSchema: Map<string, unknown>;
  points: Map<string, StoredPoint>;
}

interface Scored {
  point: StoredPoint;
  score: number;
}

const UNNAMED = "";
const asArray = <T>(value: T | T[] | null | undefined): T[] => (value === undefined || value === null ? [] : Array.isArray(value) ? value : [value]);
const unsupported = (what: string): never => {
  throw new Error(`stand-in: ${what} is not implemented`);
};

export class QdrantModel {
  readonly collections = new Map<string, StoredCollection>();
  private operationId = 0;

  /** The operation's `result`, or undefined when the stand-in does not implement the operation. */
  handle(operationId: string, path: Record<string, string>, query: Record<string, string>, body: unknown): unknown {
    const input = (body ?? {}) as JsonObject;
    const name = path.collection_name ?? "";
    const updated = () => ({ operation_id: this.operationId++, status: query.wait === "true" ? "completed" : "acknowledged" });
    switch (operationId) {
      case "healthz":
        return "healthz check passed";
      case "collection_exists":
        return { exists: this.collections.has(name) };
      case "create_collection":
        this.createCollection(name, input);
        return true;
      case "delete_collection":
        return this.collections.delete(name);
      case "get_collection":
        return this.collectionInfo(this.collection(name));
      case "create_field_index":
        this.collection(name).payloadSchema.set(String(input.field_name), input.field_schema ?? null);
        return updated();
      case "create_shard_key":
        this.createShardKey(this.collection(name), input);
        return true;
      case "list_shard_keys": {
        const collection = this.collection(name);
        return collection.shardingMethod === "custom" ? { shard_keys: collection.shardKeys.map((key) => ({ key })) } : { shard_keys: null };
      }
      case "upsert_points":
        this.upsert(this.collection(name), input);
        return updated();
      case "delete_points":
        this.deletePoints(this.collection(name), input);
        return updated();
      case "count_points": {
        const collection = this.collection(name);
        return { count: this.select(collection, input.shard_key, input.filter).length };
      }
      case "query_points":
        return this.queryResponse(this.collection(name), input);
      case "update_collection": {
        const collection = this.collection(name);
        this.updateCollectionSettings(collection, input);
        if (input.metadata) {
          const merged = { ...((collection.createBody.metadata ?? {}) as JsonObject) };
          for (const [key, value] of Object.entries(input.metadata as JsonObject)) {
            if (value === null) delete merged[key];
            else merged[key] = value;
          }
          collection.createBody = { ...collection.createBody, metadata: merged };
        }
        return true;
      }
      case "scroll_points":
        return this.scroll(this.collection(name), input);
      case "update_vectors":
        this.updateVectors(this.collection(name), input);
        return updated();
      case "delete_vectors":
        this.deleteVectors(this.collection(name), input);
        return updated();
      case "query_batch_points": {
        const collection = this.collection(name);
        return asArray(input.searches as JsonObject[]).map((search) => this.queryResponse(collection, search));
      }
      default:
        return undefined;
    }
  }

  collection(name: string): StoredCollection {
    const collection = this.collections.get(name);
    if (!collection) throw new StandInHttpError(404, `Not found: Collection \`${name}\` doesn't exist!`);
    return collection;
  }

  private createCollection(name: string, body: JsonObject): void {
    if (this.collections.has(name)) throw new StandInHttpError(409, `Wrong input: Collection \`${name}\` already exists!`);
    const vectors = (body.vectors ?? {}) as JsonObject;
    const denseVectors = ("size" in vectors ? { [UNNAMED]: vectors } : vectors) as StoredCollection["denseVectors"];
    this.collections.set(name, {
      name,
      createBody: body,
      denseVectors,
      sparseVectors: (body.sparse_vectors ?? {}) as StoredCollection["sparseVectors"],
      shardingMethod: body.sharding_method === "custom" ? "custom" : "auto",
      shardKeys: [],
      payloadSchema: new Map(),
      points: new Map(),
    });
  }

  private createShardKey(collection: StoredCollection, body: JsonObject): void {
    if (collection.shardingMethod !== "custom") throw new StandInHttpError(400, "Bad request: Shard keys need custom sharding");
    const key = body.shard_key as string | number;
    if (collection.shardKeys.includes(key)) throw new StandInHttpError(400, `Bad request: Shard key ${key} already exists`);
    collection.shardKeys.push(key);
  }

  private collectionInfo(collection: StoredCollection): JsonObject {
    const body = collection.createBody;
    const params: JsonObject = {
      vectors: collection.denseVectors[UNNAMED] ?? collection.denseVectors,
      shard_number: body.shard_number ?? 1,
      replication_factor: body.replication_factor ?? 1,
      write_consistency_factor: body.write_consistency_factor ?? 1,
      on_disk_payload: body.on_disk_payload ?? true,
      sparse_vectors: collection.sparseVectors,
    };
    if (body.sharding_method) params.sharding_method = body.sharding_method;
    const config: JsonObject = {
      params,
      hnsw_config: { m: 16, ef_construct: 100, full_scan_threshold: 10_000, ...((body.hnsw_config ?? {}) as JsonObject) },
      optimizer_config: {
        deleted_threshold: 0.2,
        vacuum_min_vector_number: 1000,
        default_segment_number: 0,
        flush_interval_sec: 5,
        indexing_threshold: 20_000,
        ...((body.optimizers_config ?? {}) as JsonObject),
      },
    };
    if (body.quantization_config) config.quantization_config = body.quantization_config;
    if (body.metadata) config.metadata = body.metadata;
    const payloadSchema = Object.fromEntries(
      [...collection.payloadSchema].map(([field, schema]) => {
        const dataType = typeof schema === "string" ? schema : (schema as JsonObject | null)?.type;
        const info: JsonObject = { data_type: dataType, points: collection.points.size };
        if (schema && typeof schema === "object") info.params = schema;
        return [field, info];
      }),
    );
    return {
      status: "green",
      optimizer_status: "ok",
      segments_count: 1,
      points_count: collection.points.size,
      indexed_vectors_count: 0,
      config,
      payload_schema: payloadSchema,
    };
  }

  /** Shard keys a request addresses: all when none is given; with custom sharding every write needs one. */
  private shardKeysOf(collection: StoredCollection, selector: unknown, forWrite: boolean): Array<string | number> | null {
    if (selector === undefined || selector === null) {
      if (forWrite && collection.shardingMethod === "custom") throw new StandInHttpError(400, "Bad request: Shard key not specified");
      return null;
    }
    if (collection.shardingMethod !== "custom")
      throw new StandInHttpError(400, "Bad request: Shard key specified, but collection does not use custom sharding");
    if (typeof selector === "object" && !Array.isArray(selector)) return unsupported("shard key with fallback");
    const keys = asArray(selector as string | number | Array<string | number>);
    for (const key of keys) if (!collection.shardKeys.includes(key)) throw new StandInHttpError(400, `Bad request: Shard key ${key} does not exist`);
    return keys;
  }

  private upsert(collection: StoredCollection, body: JsonObject): void {
    if (!("points" in body)) unsupported("upsert of a column batch");
    const keys = this.shardKeysOf(collection, body.shard_key, true);
    if (keys && keys.length !== 1) unsupported("upsert into several shard keys");
    for (const raw of body.points as JsonObject[]) {
      const vectorInput = (Array.isArray(raw.vector) ? { [UNNAMED]: raw.vector } : raw.vector) as Record<string, unknown>;
      const point: StoredPoint = {
        id: raw.id as string | number,
        shardKey: keys?.[0] ?? null,
        dense: {},
        sparse: {},
        payload: (raw.payload ?? {}) as JsonObject,
      };
      for (const [name, vector] of Object.entries(vectorInput)) {
        if (Array.isArray(vector)) {
          const config = collection.denseVectors[name];
          if (!config) throw new StandInHttpError(400, `Wrong input: Not existing vector name error: ${name}`);
          if (vector.length !== config.size)
            throw new StandInHttpError(400, `Wrong input: Vector dimension error: expected dim: ${config.size}, got ${vector.length}`);
          point.dense[name] = config.distance === "Cosine" ? normalise(vector as number[]) : (vector as number[]);
        } else {
          if (!collection.sparseVectors[name]) throw new StandInHttpError(400, `Wrong input: Not existing vector name error: ${name}`);
          const sparse = vector as Sparse;
          if (sparse.indices.length !== sparse.values.length || new Set(sparse.indices).size !== sparse.indices.length) {
            throw new StandInHttpError(400, "Validation error: sparse indices must be unique and match values");
          }
          point.sparse[name] = sparse;
        }
      }
      for (const name of Object.keys(collection.denseVectors)) {
        if (!point.dense[name]) throw new StandInHttpError(400, `Wrong input: missing dense vector ${name || "(default)"}`);
      }
      collection.points.set(`${String(point.shardKey)}\u0000${String(point.id)}`, point);
    }
  }

  /** HNSW, optimizer, quantisation, payload and dense-vector storage changes of an update_collection body. */
  private updateCollectionSettings(collection: StoredCollection, input: JsonObject): void {
    const body = { ...collection.createBody };
    if (input.hnsw_config) body.hnsw_config = { ...((body.hnsw_config ?? {}) as JsonObject), ...(input.hnsw_config as JsonObject) };
    if (input.optimizers_config) body.optimizers_config = { ...((body.optimizers_config ?? {}) as JsonObject), ...(input.optimizers_config as JsonObject) };
    if (input.quantization_config === "Disabled") delete body.quantization_config;
    else if (input.quantization_config) body.quantization_config = input.quantization_config;
    const params = input.params as JsonObject | undefined;
    if (params && "on_disk_payload" in params) body.on_disk_payload = params.on_disk_payload;
    for (const [name, diff] of Object.entries((input.vectors ?? {}) as Record<string, JsonObject>)) {
      const vector = collection.denseVectors[name];
      if (!vector) throw new StandInHttpError(400, `Wrong input: Not existing vector name error: ${name}`);
      collection.denseVectors[name] = { ...vector, ...diff } as StoredCollection["denseVectors"][string];
    }
    collection.createBody = body;
  }

  /** Points in id order from `offset` (ids compared as strings), `limit` of them, and the next id. */
  private scroll(collection: StoredCollection, body: JsonObject): JsonObject {
    if (body.filter || body.order_by) unsupported("scroll with a filter or order_by");
    const limit = (body.limit as number | undefined) ?? 10;
    const ordered = this.select(collection, body.shard_key).sort((left, right) =>
      String(left.id) < String(right.id) ? -1 : String(left.id) > String(right.id) ? 1 : 0,
    );
    const from = body.offset === undefined || body.offset === null ? 0 : ordered.findIndex((point) => String(point.id) >= String(body.offset));
    const page = from < 0 ? [] : ordered.slice(from, from + limit);
    const next = from < 0 ? undefined : ordered[from + limit];
    return {
      points: page.map((point) => {
        const { score: _score, version: _version, ...record } = toScoredPoint(point, 0, body.with_payload ?? true, body.with_vector);
        return record;
      }),
      next_page_offset: next ? next.id : null,
    };
  }

  /** The stored point of `id` under the request's shard key (custom sharding: writes name one). */
  private heldPoint(collection: StoredCollection, id: unknown, shardSelector: unknown): StoredPoint {
    const keys = this.shardKeysOf(collection, shardSelector, true);
    if (keys && keys.length !== 1) unsupported("vector update across several shard keys");
    const point = collection.points.get(`${String(keys?.[0] ?? null)}\u0000${String(id)}`);
    if (!point) throw new StandInHttpError(404, `Not found: No point with id ${String(id)} found`);
    return point;
  }

  private updateVectors(collection: StoredCollection, body: JsonObject): void {
    if (body.update_filter) unsupported("update_vectors with update_filter");
    for (const raw of body.points as JsonObject[]) {
      const point = this.heldPoint(collection, raw.id, body.shard_key);
      for (const [name, vector] of Object.entries(raw.vector as JsonObject)) {
        if (Array.isArray(vector)) unsupported("dense vector update");
        if (!collection.sparseVectors[name]) throw new StandInHttpError(400, `Wrong input: Not existing vector name error: ${name}`);
        const sparse = vector as unknown as Sparse;
        if (sparse.indices.length !== sparse.values.length || new Set(sparse.indices).size !== sparse.indices.length) {
          throw new StandInHttpError(400, "Validation error: sparse indices must be unique and match values");
        }
        point.sparse[name] = sparse;
      }
    }
  }

  private deleteVectors(collection: StoredCollection, body: JsonObject): void {
    if (!body.points) unsupported("delete_vectors by filter");
    for (const id of body.points as Array<string | number>) {
      const point = this.heldPoint(collection, id, body.shard_key);
      for (const name of body.vector as string[]) {
        if (collection.denseVectors[name]) unsupported("deleting a dense vector");
        delete point.sparse[name];
      }
    }
  }

  private deletePoints(collection: StoredCollection, body: JsonObject): void {
    const keys = this.shardKeysOf(collection, body.shard_key, false);
    const ids = "points" in body ? new Set(asArray(body.points as Array<string | number>).map(String)) : null;
    if (!ids && !("filter" in body)) unsupported("delete without points or filter");
    for (const [storageKey, point] of collection.points) {
      if (keys && !keys.includes(point.shardKey as string | number)) continue;
      const selected = ids ? ids.has(String(point.id)) : matchesFilter(body.filter as JsonObject, point);
      if (selected) collection.points.delete(storageKey);
    }
  }

  private select(collection: StoredCollection, shardSelector: unknown, ...filters: unknown[]): StoredPoint[] {
    const keys = this.shardKeysOf(collection, shardSelector, false);
    return [...collection.points.values()].filter(
      (point) =>
        (!keys || keys.includes(point.shardKey as string | number)) && filters.every((filter) => !filter || matchesFilter(filter as JsonObject, point)),
    );
  }

  private queryResponse(collection: StoredCollection, request: JsonObject): JsonObject {
    const scored = this.runQuery(collection, request, []);
    return { points: scored.map(({ point, score }) => toScoredPoint(point, score, request.with_payload, request.with_vector)) };
  }

  /** Scores a query (or prefetch); `outerFilters` are the enclosing queries' filters, which apply to prefetches too. */
  private runQuery(collection: StoredCollection, request: JsonObject, outerFilters: unknown[]): Scored[] {
    const filters = [...outerFilters, request.filter];
    const candidates = this.select(collection, request.shard_key, ...filters);
    let query = request.query as unknown;
    if (query && typeof query === "object" && "nearest" in (query as JsonObject)) query = (query as JsonObject).nearest;
    let scored: Scored[];
    if (request.prefetch) {
      const lists = asArray(request.prefetch as JsonObject[]).map((prefetch) =>
        this.runQuery(collection, { ...prefetch, shard_key: request.shard_key }, filters),
      );
      const fusion = query as JsonObject | undefined;
      if (fusion?.fusion !== "rrf" && !fusion?.rrf) return unsupported("prefetch without RRF fusion");
      const k = Number((fusion.rrf as JsonObject | undefined)?.k ?? 2);
      const fused = new Map<StoredPoint, number>();
      for (const list of lists) list.forEach(({ point }, rank) => fused.set(point, (fused.get(point) ?? 0) + 1 / (k + rank)));
      scored = [...fused].map(([point, score]) => ({ point, score }));
    } else if (Array.isArray(query)) {
      const name = (request.using as string | undefined) ?? UNNAMED;
      const config = collection.denseVectors[name];
      if (!config) throw new StandInHttpError(400, `Wrong input: Not existing vector name error: ${name}`);
      if (query.length !== config.size)
        throw new StandInHttpError(400, `Wrong input: Vector dimension error: expected dim: ${config.size}, got ${query.length}`);
      const normalisedQuery = normalise(query as number[]);
      scored = candidates.map((point) => ({ point, score: dot(normalisedQuery, point.dense[name] ?? []) }));
    } else if (query && typeof query === "object" && "indices" in (query as JsonObject)) {
      const name = String(request.using ?? "");
      const config = collection.sparseVectors[name];
      if (!config) throw new StandInHttpError(400, `Wrong input: Not existing vector name error: ${name}`);
      scored = sparseScores(collection, name, config.modifier === "idf", query as Sparse, candidates);
    } else {
      return unsupported(`query ${JSON.stringify(query)}`);
    }
    const threshold = request.score_threshold as number | null | undefined;
    const offset = (request.offset as number | undefined) ?? 0;
    const limit = (request.limit as number | undefined) ?? 10;
    return scored
      .filter(({ score }) => threshold === undefined || threshold === null || score >= threshold)
      .sort((left, right) => right.score - left.score)
      .slice(offset, offset + limit);
  }
}

function normalise(vector: number[]): number[] {
  const norm = Math.hypot(...vector);
  return norm === 0 ? vector : vector.map((value) => value / norm);
}

function dot(left: number[], right: number[]): number {
  let sum = 0;
  for (let index = 0; index < left.length; index++) sum += left[index]! * (right[index] ?? 0);
  return sum;
}

function sparseScores(collection: StoredCollection, name: string, idf: boolean, query: Sparse, candidates: StoredPoint[]): Scored[] {
  const all = [...collection.points.values()].filter((point) => point.sparse[name]);
  const weight = (index: number): number => {
    if (!idf) return 1;
    const containing = all.filter((point) => point.sparse[name]!.indices.includes(index)).length;
    return Math.log(1 + (all.length - containing + 0.5) / (containing + 0.5));
  };
  const scored: Scored[] = [];
  for (const point of candidates) {
    const stored = point.sparse[name];
    if (!stored) continue;
    let score = 0;
    let overlaps = false;
    query.indices.forEach((index, position) => {
      const at = stored.indices.indexOf(index);
      if (at < 0) return;
      overlaps = true;
      score += query.values[position]! * stored.values[at]! * weight(index);
    });
    if (overlaps) scored.push({ point, score });
  }
  return scored;
}

function valuesAt(payload: JsonObject, key: string): unknown[] {
  let values: unknown[] = [payload];
  for (const part of key.split(".")) {
    values = values.flatMap((value) => (value && typeof value === "object" && !Array.isArray(value) ? asArray((value as JsonObject)[part]) : []));
  }
  return values;
}

function matchesCondition(condition: JsonObject, point: StoredPoint): boolean {
  if ("must" in condition || "should" in condition || "must_not" in condition) return matchesFilter(condition, point);
  if ("has_id" in condition)
    return asArray(condition.has_id as Array<string | number>)
      .map(String)
      .includes(String(point.id));
  if (typeof condition.key !== "string") return unsupported(`condition ${JSON.stringify(condition)}`);
  const values = valuesAt(point.payload, condition.key);
  let matched = true;
  const match = condition.match as JsonObject | null | undefined;
  const range = condition.range as Record<string, number | null | undefined> | null | undefined;
  if (!match && !range) return unsupported(`condition ${JSON.stringify(condition)}`);
  if (match) {
    if ("value" in match) matched &&= values.some((value) => value === match.value);
    else if ("any" in match) matched &&= values.some((value) => (match.any as unknown[]).includes(value));
    else if ("except" in match) matched &&= values.every((value) => !(match.except as unknown[]).includes(value));
    else return unsupported(`match ${JSON.stringify(match)}`);
  }
  if (range) {
    matched &&= values.some(
      (value) =>
        typeof value === "number" &&
        (range.gt == null || value > range.gt) &&
        (range.gte == null || value >= range.gte) &&
        (range.lt == null || value < range.lt) &&
        (range.lte == null || value <= range.lte),
    );
  }
  return matched;
}

function matchesFilter(filter: JsonObject, point: StoredPoint): boolean {
  if (filter.min_should) return unsupported("min_should");
  const should = asArray(filter.should as JsonObject[]);
  return (
    asArray(filter.must as JsonObject[]).every((condition) => matchesCondition(condition, point)) &&
    (should.length === 0 || should.some((condition) => matchesCondition(condition, point))) &&
    !asArray(filter.must_not as JsonObject[]).some((condition) => matchesCondition(condition, point))
  );
}

function toScoredPoint(point: StoredPoint, score: number, withPayload: unknown, withVector: unknown): JsonObject {
  const scored: JsonObject = { id: point.id, version: 0, score };
  if (withPayload === true) scored.payload = point.payload;
  else if (Array.isArray(withPayload))
    scored.payload = Object.fromEntries(withPayload.map((key: string) => [key, point.payload[key]]).filter(([, value]) => value !== undefined));
  else if (withPayload && typeof withPayload === "object") unsupported("payload selector");
  if (withVector === true || Array.isArray(withVector)) {
    const names = withVector === true ? [...Object.keys(point.dense), ...Object.keys(point.sparse)] : (withVector as string[]);
    if (names.length === 1 && names[0] === UNNAMED) scored.vector = point.dense[UNNAMED];
    else scored.vector = Object.fromEntries(names.map((name) => [name, point.dense[name] ?? point.sparse[name]]).filter(([, value]) => value !== undefined));
  }
  if (point.shardKey !== null) scored.shard_key = point.shardKey;
  return scored;
}
