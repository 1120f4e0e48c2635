import type { Server as HttpServer, ServerOptions } from "node:http";
import type { Socket } from "node:net";
import type { Logger } from "../ports/logger.js";

/** How long and how many connections a client may hold, so slow or greedy clients cannot hold the server. */
export interface ConnectionLimits {
  /** Time for a client to send a request's headers, from the connection or the previous request. */
  headersTimeoutMs: number;
  /** Time for a whole request (headers and body) to arrive; a 50 MB upload needs ~7 Mbit/s at 60 s. */
  requestTimeoutMs: number;
  /** Idle time a kept-alive connection stays open between requests. */
  keepAliveTimeoutMs: number;
  /** Open connections in all; past it new ones are closed at once. */
  maxConnections: number;
  /** Open connections from one client address; past it the new one is closed at once. */
  maxConnectionsPerClient: number;
}

/**
 * Node's http options for the limits. The timeouts are checked every `connectionsCheckingInterval`
 * (Node's default 30 s would let a slow client outstay a short timeout by that much).
 */
export function serverOptionsFor(limits: ConnectionLimits): ServerOptions {
  return {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    connectionsCheckingInterval: Math.max(100, Math.min(1_000, Math.floor(limits.headersTimeoutMs / 4))),
  };
}

/**
 * Caps the connections a server accepts, in all (`server.maxConnections`) and per client address
 * (counted here: a connection over the cap is destroyed as soon as it is accepted, logged once per
 * address per minute at warn).
 */
export function limitConnections(server: HttpServer, limits: ConnectionLimits, logger?: Logger): void {
  server.maxConnections = limits.maxConnections;
  const open = new Map<string, number>();
  const warned = new Map<string, number>();
  server.on("connection", (socket: Socket) => {
    const client = socket.remoteAddress ?? "unknown";
    const count = (open.get(client) ?? 0) + 1;
    if (count > limits.maxConnectionsPerClient) {
      const now = Date.now();
      if ((warned.get(client) ?? 0) < now - 60_000) {
        if (warned.size > 10_000) warned.clear();
        warned.set(client, now);
        logger?.warn({ client, limit: limits.maxConnectionsPerClient }, "connection refused: too many open connections from one client");
      }
      socket.destroy();
      return;
    }
    open.set(client, count);
    socket.once("close", () => {
      const left = (open.get(client) ?? 1) - 1;
      if (left <= 0) open.delete(client);
      else open.set(client, left);
    });
  });
}
