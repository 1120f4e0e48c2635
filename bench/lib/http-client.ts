import { Agent, request } from "node:http";

export interface JsonResponse {
  status: number;
  body: string;
}

/**
 * A lean keep-alive HTTP client for the benchmarks. The client shares the machine's two cores with the
 * service, and `fetch` (undici, web streams, an AbortSignal per request) costs about 1 ms of CPU per
 * request here, which the service's latency would then carry; node:http with a pooled agent costs
 * less. One agent per client pool keeps one connection per concurrent client.
 */
export class BenchHttpClient {
  private readonly agent: Agent;
  private readonly base: URL;

  constructor(baseUrl: string, maxSockets: number) {
    this.base = new URL(baseUrl);
    this.agent = new Agent({ keepAlive: true, maxSockets });
  }

  postJson(path: string, payload: unknown): Promise<JsonResponse> {
    const body = Buffer.from(JSON.stringify(payload));
    return new Promise((resolve, reject) => {
      const outgoing = request(
        {
          agent: this.agent,
          host: this.base.hostname,
          port: this.base.port,
          method: "POST",
          path,
          headers: { "content-type": "application/json", "content-length": body.length },
        },
        (response) => {
          const parts: Buffer[] = [];
          response.on("data", (part: Buffer) => parts.push(part));
          response.on("end", () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(parts).toString("utf8") }));
          response.on("error", reject);
        },
      );
      outgoing.on("error", reject);
      outgoing.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
