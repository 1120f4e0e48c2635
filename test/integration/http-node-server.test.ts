import { request, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { serve, type ServerType } from "@hono/node-server";
import { Hono } from "hono";
import { afterEach, describe, expect, it } from "vitest";
import { limitBody, readBodyText, requestSignal } from "../../src/http/request-body.js";
import { waitFor } from "../helpers/wait-for.js";
import { startTestRuntime, type TestRuntime } from "../helpers/test-runtime.js";

// The Node-stream body path of src/http/request-body.ts only exists under @hono/node-server (not under
// app.request), so these tests serve the app over a real loopback socket.

const servers: ServerType[] = [];
const runtimes: TestRuntime[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
  await Promise.all(runtimes.splice(0).map((runtime) => runtime.close()));
});

async function listen(fetch: (request: Request, env: unknown) => Response | Promise<Response>): Promise<number> {
  return new Promise((resolve) => {
    const server = serve({ fetch, hostname: "127.0.0.1", port: 0 }, (info: AddressInfo) => resolve(info.port));
    servers.push(server);
  });
}

interface Sent {
  status: number;
  body: string;
}

/** Sends a request with exact control of the body framing; `chunks` are written one by one. */
function send(
  port: number,
  options: { method: string; path: string; headers: Record<string, string | number>; chunks: Array<string | Buffer> },
): Promise<Sent> {
  return new Promise((resolve, reject) => {
    const outgoing = request({ host: "127.0.0.1", port, method: options.method, path: options.path, headers: options.headers }, (response: IncomingMessage) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (part: string) => (body += part));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
    });
    outgoing.on("error", reject);
    for (const chunk of options.chunks) outgoing.write(chunk);
    outgoing.end();
  });
}

function sendJson(port: number, method: string, path: string, value: unknown): Promise<Sent> {
  const body = Buffer.from(JSON.stringify(value));
  return send(port, { method, path, headers: { "content-type": "application/json", "content-length": body.length }, chunks: [body] });
}

describe("HTTP bodies read from the Node request stream (real @hono/node-server)", () => {
  it("uploads and queries JSON with a declared length, and answers 400 for malformed JSON", async () => {
    const test = await startTestRuntime();
    runtimes.push(test);
    const port = await listen(test.app.fetch);
    const upload = await sendJson(port, "POST", "/v1/documents", { text: "The quokka is a small wallaby native to Rottnest Island.", id: "quokka" });
    expect(upload.status).toBe(202);
    await waitFor(
      async () => ((await (await test.app.request("/v1/documents/quokka")).json()) as { status?: string }).status === "indexed",
      "the upload to be indexed",
    );
    const query = await sendJson(port, "POST", "/v1/query", { question: "Where does the quokka live?", mode: "retrieve" });
    expect(query.status).toBe(200);
    expect((JSON.parse(query.body) as { retrieval: { hits: Array<{ document_id: string }> } }).retrieval.hits[0]?.document_id).toBe("quokka");

    // A byte-order mark before the JSON is dropped, as Request.json() does.
    const withBom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify({ question: "quokka", mode: "retrieve" }))]);
    const bom = await send(port, {
      method: "POST",
      path: "/v1/query",
      headers: { "content-type": "application/json", "content-length": withBom.length },
      chunks: [withBom],
    });
    expect(bom.status).toBe(200);

    const malformed = await send(port, {
      method: "POST",
      path: "/v1/query",
      headers: { "content-type": "application/json", "content-length": 12 },
      chunks: ['{"question":'],
    });
    expect(malformed.status).toBe(400);
    expect(JSON.parse(malformed.body)).toMatchObject({ error: { code: "validation_error" } });
  });

  it("answers 413 from a declared length before the body arrives, and counts a chunked body", async () => {
    const test = await startTestRuntime({ upload: { maxBytes: 1024 } });
    runtimes.push(test);
    const port = await listen(test.app.fetch);
    // Only 1 KiB of the declared 100 KiB is ever sent: a server that waited for the body would hang here.
    const declared = await new Promise<Sent>((resolve, reject) => {
      const outgoing = request(
        { host: "127.0.0.1", port, method: "POST", path: "/v1/documents", headers: { "content-type": "application/json", "content-length": 100 * 1024 } },
        (response) => {
          let body = "";
          response.on("data", (part: Buffer) => (body += String(part)));
          response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
        },
      );
      outgoing.on("error", reject);
      outgoing.write(Buffer.alloc(1024, 0x20));
    });
    expect(declared.status).toBe(413);
    expect(JSON.parse(declared.body)).toMatchObject({ error: { code: "payload_too_large" } });

    const chunked = await send(port, {
      method: "POST",
      path: "/v1/documents",
      headers: { "content-type": "application/json", "transfer-encoding": "chunked" },
      chunks: [JSON.stringify({ text: "x".repeat(3000) }).slice(0, 1500), JSON.stringify({ text: "x".repeat(3000) }).slice(1500)],
    });
    expect(chunked.status).toBe(413);
    const chunkedSmall = await send(port, {
      method: "POST",
      path: "/v1/documents",
      headers: { "content-type": "application/json", "transfer-encoding": "chunked" },
      chunks: ['{"text":', '"small enough"}'],
    });
    expect(chunkedSmall.status).toBe(202);
  });

  it("aborts the request signal when the client leaves early, and not after a finished response", async () => {
    const outcomes: string[] = [];
    const app = new Hono();
    app.post(
      "/echo",
      limitBody(1024, () => new Error("too large")),
      async (context) => {
        const signal = requestSignal(context);
        const text = await readBodyText(context);
        if (text === "wait") {
          await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve()));
          outcomes.push("aborted");
          return context.text("late");
        }
        setTimeout(() => outcomes.push(signal.aborted ? "aborted after finish" : "still open after finish"), 50);
        return context.text(text.toUpperCase());
      },
    );
    const port = await listen(app.fetch);
    expect(await send(port, { method: "POST", path: "/echo", headers: { "content-length": 5 }, chunks: ["hello"] })).toEqual({ status: 200, body: "HELLO" });
    const leaving = request({ host: "127.0.0.1", port, method: "POST", path: "/echo", headers: { "content-length": 4 } });
    leaving.on("error", () => {});
    leaving.end("wait");
    await new Promise((resolve) => setTimeout(resolve, 50));
    leaving.destroy();
    await waitFor(async () => outcomes.includes("aborted"), "the abort to be seen");
    expect(outcomes.sort()).toEqual(["aborted", "still open after finish"]);
  });
});
