import type { IncomingMessage, Server, ServerResponse } from "node:http";

// The HTTP plumbing the loopback model stand-ins share: bodies in, JSON out, responses held open.

/** The request body as UTF-8 text. */
export async function readBody(request: IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  for await (const part of request) parts.push(part as Buffer);
  return Buffer.concat(parts).toString("utf8");
}

/** Answers JSON: `body` as given when it is a string (e.g. deliberately broken JSON), else serialised. */
export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { "content-type": "application/json", ...headers });
  response.end(typeof body === "string" ? body : JSON.stringify(body));
}

/** Responses a stand-in never answers (a hanging upstream), destroyed when it closes. */
export function hangingResponses(): { hold(response: ServerResponse): void; close(server: Server): Promise<void> } {
  const hanging = new Set<ServerResponse>();
  return {
    hold(response) {
      hanging.add(response);
      response.on("close", () => hanging.delete(response));
    },
    close: (server) =>
      new Promise<void>((resolve) => {
        for (const response of hanging) response.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
