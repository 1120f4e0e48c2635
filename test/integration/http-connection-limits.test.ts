import type { Server as HttpServer } from "node:http";
import { connect, type AddressInfo, type Socket } from "node:net";
import { serve, type ServerType } from "@hono/node-server";
import { Hono } from "hono";
import { afterEach, describe, expect, it } from "vitest";
import { createApp } from "../../src/http/create-app.js";
import { limitConnections, serverOptionsFor, type ConnectionLimits } from "../../src/http/connection-limits.js";
import { recordingLogger } from "../helpers/recording-logger.js";
import { startTestRuntime, type TestRuntime } from "../helpers/test-runtime.js";
import { waitFor } from "../helpers/wait-for.js";

// Real sockets against a real @hono/node-server: what a slow, greedy or broken client does to the server.

const servers: ServerType[] = [];
const sockets: Socket[] = [];
const runtimes: TestRuntime[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
  await Promise.all(runtimes.splice(0).map((runtime) => runtime.close()));
});

const LIMITS: ConnectionLimits = { headersTimeoutMs: 400, requestTimeoutMs: 1_200, keepAliveTimeoutMs: 1_000, maxConnections: 100, maxConnectionsPerClient: 3 };

async function listen(fetch: (request: Request, env: unknown) => Response | Promise<Response>, limits: ConnectionLimits): Promise<number> {
  return new Promise((resolve) => {
    const server = serve({ fetch, hostname: "127.0.0.1", port: 0, serverOptions: serverOptionsFor(limits) }, (info: AddressInfo) => resolve(info.port));
    limitConnections(server as HttpServer, limits);
    servers.push(server);
  });
}

/** A raw connection that records what the server sent and whether it closed. */
async function open(port: number): Promise<{ socket: Socket; received: () => string; closed: () => boolean }> {
  const socket = connect(port, "127.0.0.1");
  sockets.push(socket);
  let received = "";
  let closed = false;
  socket.setEncoding("utf8");
  socket.on("data", (part: string) => (received += part));
  socket.on("close", () => (closed = true));
  socket.on("error", () => undefined);
  await new Promise((resolve) => socket.once("connect", resolve));
  return { socket, received: () => received, closed: () => closed };
}

const hello = new Hono().get("/", (context) => context.text("hello"));

describe("connection limits (real @hono/node-server sockets)", () => {
  it("closes a connection whose headers never finish, with 408", async () => {
    const port = await listen(hello.fetch, LIMITS);
    const slow = await open(port);
    slow.socket.write("GET / HTTP/1.1\r\nHost: localhost\r\n");
    await waitFor(async () => slow.closed(), "the slow-header connection to be closed", 10_000);
    expect(slow.received()).toMatch(/^HTTP\/1\.1 408/);
  });

  it("closes a connection whose body never finishes, with 408", async () => {
    const app = new Hono().post("/", async (context) => context.text(String((await context.req.text()).length)));
    const port = await listen(app.fetch, LIMITS);
    const slow = await open(port);
    slow.socket.write("POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\n0123456789");
    await waitFor(async () => slow.closed(), "the slow-body connection to be closed", 10_000);
    expect(slow.received()).toMatch(/^HTTP\/1\.1 408/);
  });

  it("refuses a client's connection past its cap and accepts it again once one closes", async () => {
    const port = await listen(hello.fetch, { ...LIMITS, headersTimeoutMs: 30_000, requestTimeoutMs: 60_000 });
    const held = [await open(port), await open(port), await open(port)];
    const extra = await open(port);
    await waitFor(async () => extra.closed(), "the connection over the per-client cap to be closed", 10_000);
    expect(extra.received()).toBe("");
    expect(held.some((connection) => connection.closed())).toBe(false);

    held[0]!.socket.destroy();
    await waitFor(async () => held[0]!.closed(), "the first held connection to close");
    // The count drops when the server sees the close; retry until a new connection is served.
    const served = await waitFor(
      async () => {
        const next = await open(port);
        next.socket.write("GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
        await waitFor(async () => next.closed(), "the new connection to end", 10_000);
        return next.received().startsWith("HTTP/1.1 200") ? next : null;
      },
      "a new connection to be served after one closed",
      10_000,
    );
    expect(served.received()).toMatch(/hello$/);
  });
});

describe("client faults are not server errors (real app)", () => {
  async function startApp(): Promise<{ port: number; lines: ReturnType<typeof recordingLogger>["lines"] }> {
    const test = await startTestRuntime();
    runtimes.push(test);
    const logger = recordingLogger();
    const app = createApp({ ...test.runtime.deps, logger });
    const port = await listen(app.fetch, { ...LIMITS, headersTimeoutMs: 30_000, requestTimeoutMs: 60_000, maxConnectionsPerClient: 100 });
    return { port, lines: logger.lines };
  }

  // Node's parser answers the client 400 itself and closes the connection; the app then sees a body
  // that ended early, which it logs as a client that went away.
  it("a malformed chunked body is not a logged server error", async () => {
    const { port, lines } = await startApp();
    const client = await open(port);
    client.socket.write(
      'POST /v1/documents HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{"tex\r\nzz\r\n',
    );
    const access = await waitFor(async () => lines.find((line) => line.message === "request" && line.fields.path === "/v1/documents"), "the access log line");
    expect([400, 499]).toContain(access.fields.status);
    expect(client.received()).toMatch(/^HTTP\/1\.1 400/);
    expect(lines.filter((line) => line.level === "error")).toEqual([]);
  });

  it("a client that disconnects mid-upload is logged as gone (499), not as an error", async () => {
    const { port, lines } = await startApp();
    const client = await open(port);
    client.socket.write('POST /v1/documents HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"text": "partial');
    await new Promise((resolve) => setTimeout(resolve, 200));
    client.socket.destroy();
    const access = await waitFor(async () => lines.find((line) => line.message === "request" && line.fields.path === "/v1/documents"), "the access log line");
    expect(access.fields.status).toBe(499);
    expect(lines.filter((line) => line.level === "error")).toEqual([]);
    expect(lines.some((line) => line.level === "info" && /client went away/.test(line.message))).toBe(true);
  });
});
