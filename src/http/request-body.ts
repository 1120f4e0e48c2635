import type { IncomingMessage, ServerResponse } from "node:http";
import type { Context, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";

// Under @hono/node-server every request arrives as Node's IncomingMessage behind a lazy Request: the
// Request (headers, web stream body, AbortController) is only built when `c.req.raw.body`, `.json()`
// or `.signal` is touched, and building it is a measurable share of a retrieve query (bench/RESULTS.md).
// A body whose length the client declared is read here straight from the Node stream instead. Elsewhere (app.request in tests, chunked bodies) the Web API path is used.

interface NodeBindings {
  incoming?: IncomingMessage;
  outgoing?: ServerResponse;
}

function nodeBindings(context: Context): NodeBindings {
  return (context.env ?? {}) as NodeBindings;
}

/** The declared body length when the body can be read from the Node stream, else null. */
function declaredLength(context: Context): number | null {
  const incoming = nodeBindings(context).incoming;
  if (!incoming || incoming.headers["transfer-encoding"] !== undefined) return null;
  const header = incoming.headers["content-length"];
  if (header === undefined || !/^\d+$/.test(header)) return null;
  return Number(header);
}

/**
 * Refuses a body over `maxBytes` before it is buffered: by its declared length at once, or (no
 * length declared) by counting while hono's bodyLimit buffers it.
 */
export function limitBody(maxBytes: number, tooLarge: () => Error): MiddlewareHandler {
  const counting = bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw tooLarge();
    },
  });
  return async (context, next) => {
    const length = declaredLength(context);
    if (length === null) return counting(context, next);
    if (length > maxBytes) throw tooLarge();
    await next();
  };
}

/** The client closed its connection before its request body arrived in full. */
export class ClientGoneError extends Error {
  readonly code = "ECONNRESET";
  constructor() {
    super("aborted");
    this.name = "ClientGoneError";
  }
}

/** One decoder for every body: UTF-8, a leading byte-order mark dropped, bad bytes as U+FFFD (as `Request.text()` does). */
const UTF8 = new TextDecoder("utf-8");

/** The request body as text (UTF-8). */
export async function readBodyText(context: Context): Promise<string> {
  const incoming = nodeBindings(context).incoming;
  if (declaredLength(context) === null || !incoming || incoming.readableEnded) return context.req.text();
  const parts: Buffer[] = [];
  for await (const part of incoming) parts.push(part as Buffer);
  // A client that disconnects mid-body ends the stream early, without an error: not malformed input.
  if (!incoming.complete) throw new ClientGoneError();
  return UTF8.decode(Buffer.concat(parts));
}

/** Aborted when the client goes away before the response is finished. */
export function requestSignal(context: Context): AbortSignal {
  const outgoing = nodeBindings(context).outgoing;
  if (!outgoing) return context.req.raw.signal;
  const controller = new AbortController();
  outgoing.once("close", () => {
    if (!outgoing.writableFinished) controller.abort(new Error("client connection closed before the response was sent"));
  });
  return controller.signal;
}
