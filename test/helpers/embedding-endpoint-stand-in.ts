import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A stand-in for an OpenAI-compatible `/v1/embeddings` endpoint with a provider's limits (no real
 * model runs here, and the benchmarks must not depend on a network service): it answers after
 * `baseLatencyMs + perInputLatencyMs × inputs`, refuses more than `maxInputsPerRequest` inputs
 * (400) and, beyond `maxInFlight` requests at once, answers 429 with `Retry-After` as real providers
 * do. Vectors are cheap and deterministic: unit vectors seeded by the text's hash (float or base64,
 * as asked), so the same text always gets the same vector. It records every request; a GET
 * answers its counts (`EmbeddingStandInStats`).
 */
export interface EmbeddingStandInOptions {
  baseLatencyMs?: number;
  perInputLatencyMs?: number;
  maxInputsPerRequest?: number;
  maxInFlight?: number;
  /** The Retry-After header of a 429 (seconds). */
  retryAfter?: string;
  /** Requests with an input containing this text are refused with 400 (a poison input). */
  refuseInputsContaining?: string;
  /** Vector length when the request names no `dimensions`. */
  defaultDimension?: number;
}

export interface EmbeddingRequestRecord {
  /** ms since the stand-in started, when the request arrived and when it was answered. */
  arrivedAt: number;
  answeredAt: number;
  inputs: number;
  /** The `encoding_format` asked for (`float` when none). */
  encoding: string;
  status: number;
  /** Requests being served when this one arrived (itself not counted). */
  inFlightAtArrival: number;
}

export interface EmbeddingStandInStats {
  requests: number;
  served: number;
  refused: number;
  inputsServed: number;
  maxInFlight: number;
}

export interface EmbeddingStandIn {
  baseUrl: string;
  requests: EmbeddingRequestRecord[];
  /** Most requests served at once so far (429s not counted). */
  maxInFlightSeen(): number;
  stats(): EmbeddingStandInStats;
  close(): Promise<void>;
}

export async function startEmbeddingStandIn(options: EmbeddingStandInOptions = {}): Promise<EmbeddingStandIn> {
  const settings = {
    baseLatencyMs: options.baseLatencyMs ?? 0,
    perInputLatencyMs: options.perInputLatencyMs ?? 0,
    maxInputsPerRequest: options.maxInputsPerRequest ?? 2048,
    maxInFlight: options.maxInFlight ?? Number.POSITIVE_INFINITY,
    retryAfter: options.retryAfter ?? "1",
    defaultDimension: options.defaultDimension ?? 64,
  };
  const started = performance.now();
  const requests: EmbeddingRequestRecord[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const elapsed = () => performance.now() - started;

  const stats = (): EmbeddingStandInStats => {
    const served = requests.filter((request) => request.status === 200);
    return {
      requests: requests.length,
      served: served.length,
      refused: requests.filter((request) => request.status === 429).length,
      inputsServed: served.reduce((total, request) => total + request.inputs, 0),
      maxInFlight,
    };
  };

  const server = createServer(async (request: IncomingMessage, response: ServerResponse) => {
    if (request.method === "GET") {
      response.writeHead(200, { "content-type": "application/json" });
      return void response.end(JSON.stringify(stats()));
    }
    const arrivedAt = elapsed();
    const parts: Buffer[] = [];
    for await (const part of request) parts.push(part as Buffer);
    const body = JSON.parse(Buffer.concat(parts).toString("utf8")) as {
      input?: string[] | string;
      dimensions?: number;
      encoding_format?: string;
      model?: string;
    };
    const input = typeof body.input === "string" ? [body.input] : (body.input ?? []);
    const inFlightAtArrival = inFlight;
    const record = (status: number) =>
      requests.push({ arrivedAt, answeredAt: elapsed(), inputs: input.length, encoding: body.encoding_format ?? "float", status, inFlightAtArrival });
    const send = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      response.writeHead(status, { "content-type": "application/json", ...headers });
      response.end(JSON.stringify(payload));
      record(status);
    };
    if (inFlight >= settings.maxInFlight) {
      return send(429, { error: { message: "Rate limit reached: too many requests in flight", type: "rate_limit" } }, { "retry-after": settings.retryAfter });
    }
    if (
      input.length > settings.maxInputsPerRequest ||
      (options.refuseInputsContaining && input.some((text) => text.includes(options.refuseInputsContaining!)))
    ) {
      return send(400, { error: { message: "Invalid input", type: "invalid_request_error" } });
    }
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    try {
      const dimension = body.dimensions ?? settings.defaultDimension;
      const base64 = body.encoding_format === "base64";
      const data = input.map((text, index) => {
        const vector = seededUnitVector(text, dimension);
        return { object: "embedding", index, embedding: base64 ? Buffer.from(vector.buffer).toString("base64") : Array.from(vector) };
      });
      await new Promise((resolve) => setTimeout(resolve, settings.baseLatencyMs + settings.perInputLatencyMs * input.length));
      const tokens = input.reduce((total, text) => total + Math.ceil(text.length / 4), 0);
      send(200, { object: "list", data, model: body.model, usage: { prompt_tokens: tokens, total_tokens: tokens } });
    } finally {
      inFlight -= 1;
    }
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    maxInFlightSeen: () => maxInFlight,
    stats,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A unit vector seeded by the text's hash (xorshift32), so each text has its own and always the same one. */
function seededUnitVector(text: string, dimension: number): Float32Array {
  let state = createHash("sha256").update(text).digest().readUInt32LE(0) || 1;
  const vector = new Float32Array(dimension);
  let squared = 0;
  for (let index = 0; index < dimension; index += 1) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    const value = (state >>> 0) / 4294967296 - 0.5;
    vector[index] = value;
    squared += value * value;
  }
  const inverse = 1 / Math.sqrt(squared);
  for (let index = 0; index < dimension; index += 1) vector[index]! *= inverse;
  return vector;
}
