import { type ApiClient, readJson } from "./api-client.js";

interface Hit {
  chunk_id: string;
  document_id: string;
  metadata: { title: string; source: string; page: number | null };
}

interface Citation {
  n: number;
  document_id: string;
  chunk_id: string;
  snippet: string;
}

/** Where a citation points, for people: title or document id, source, page. */
function describe(citation: Citation, hits: Map<string, Hit>): string {
  const hit = hits.get(citation.chunk_id);
  const name = hit?.metadata.title || citation.document_id;
  const where = [hit?.metadata.source || null, hit?.metadata.page ? `p. ${hit.metadata.page}` : null].filter(Boolean).join(", ");
  const snippet = citation.snippet.replace(/\s+/g, " ").trim();
  return `[${citation.n}] ${name}${where ? ` (${where})` : ""}: ${snippet.length > 160 ? `${snippet.slice(0, 157)}...` : snippet}`;
}

/**
 * `ragline ask "<question>"`: the answer streamed as it is written (Server-Sent Events), then its
 * citations with document, source, page and snippet. `json`: the whole response, not streamed.
 * Returns the answer status (answered | refused | degraded).
 */
export async function ask(client: ApiClient, question: string, options: { json: boolean; write: (text: string) => void }): Promise<string> {
  if (options.json) {
    const body = await client.json<{ answer_status: string }>("POST", "/v1/query", { question });
    options.write(`${JSON.stringify(body, null, 2)}\n`);
    return body.answer_status;
  }
  const response = await client.send("POST", "/v1/query", {
    body: JSON.stringify({ question, stream: true }),
    headers: { "content-type": "application/json" },
  });
  if (!response.ok || !response.body) await readJson(response);
  const hits = new Map<string, Hit>();
  let status = "answered";
  let buffer = "";
  const decoder = new TextDecoder();
  const handle = (block: string) => {
    const event = /^event: (.*)$/m.exec(block)?.[1] ?? "message";
    const data = block
      .split("\n")
      .filter((line) => line.startsWith("data: "))
      .map((line) => line.slice(6))
      .join("\n");
    if (!data) return;
    const payload = JSON.parse(data) as Record<string, unknown>;
    if (event === "retrieval") for (const hit of (payload.hits as Hit[] | undefined) ?? []) hits.set(hit.chunk_id, hit);
    if (event === "delta") options.write(String(payload.text ?? ""));
    if (event === "citations") {
      const citations = (payload.citations as Citation[] | undefined) ?? [];
      options.write(citations.length > 0 ? `\n\n${citations.map((citation) => describe(citation, hits)).join("\n")}\n` : "\n");
    }
    if (event === "done") {
      status = String(payload.answer_status ?? status);
      if (typeof payload.answer_id === "string") options.write(`(answer ${payload.answer_id}: ragline feedback give ${payload.answer_id} up|down)\n`);
    }
    if (event === "error") {
      const error = payload.error as { error?: { message?: string } } | undefined;
      options.write(`\n[error] ${error?.error?.message ?? "the answer stream failed"}\n`);
      status = "degraded";
    }
  };
  for await (const part of response.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(part, { stream: true });
    let end: number;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      handle(buffer.slice(0, end));
      buffer = buffer.slice(end + 2);
    }
  }
  if (buffer.trim()) handle(buffer);
  return status;
}
