import { createSseParser } from "../../src/console/sse.js";
import type { createApp } from "../../src/http/create-app.js";
import { jsonRequest } from "./test-runtime.js";
import { waitFor } from "./wait-for.js";

export interface SseEvent {
  event: string;
  data: Record<string, unknown>;
}

/** Reads a whole Server-Sent Events response into its events (each `data` parsed as JSON), with the console's parser. */
export async function readSse(response: Response): Promise<SseEvent[]> {
  const events: SseEvent[] = [];
  const parser = createSseParser(({ event, data }) => events.push({ event, data: JSON.parse(data) as Record<string, unknown> }));
  parser.feed(await response.text());
  parser.end();
  return events;
}

/** PUTs each document (id → text) through the API and waits until all are indexed. */
export async function indexDocuments(app: ReturnType<typeof createApp>, documents: Record<string, string>): Promise<void> {
  for (const [id, text] of Object.entries(documents)) await app.request(`/v1/documents/${id}`, jsonRequest("PUT", { text }));
  for (const id of Object.keys(documents)) {
    await waitFor(async () => ((await (await app.request(`/v1/documents/${id}`)).json()) as { status: string }).status === "indexed", `${id} indexed`);
  }
}
