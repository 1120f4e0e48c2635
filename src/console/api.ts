import { createSseParser, type ServerSentEvent } from "./sse.js";

const KEY_STORAGE = "ragline.apiKey";

/** The API key the user entered: kept in sessionStorage (this tab only, gone when it closes), sent as a header, never in a URL. */
export const apiKey = {
  get(): string {
    return sessionStorage.getItem(KEY_STORAGE) ?? "";
  },
  set(value: string): void {
    if (value) sessionStorage.setItem(KEY_STORAGE, value);
    else sessionStorage.removeItem(KEY_STORAGE);
  },
};

/** An HTTP error from the API: its status and the envelope's code and message (`{error:{code,message}}`). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function headers(extra: Record<string, string> = {}): Record<string, string> {
  const key = apiKey.get();
  return key ? { authorization: `Bearer ${key}`, ...extra } : extra;
}

/** The ApiError an error response carries (its envelope when JSON, else the status text). */
function errorOf(status: number, statusText: string, bodyText: string): ApiError {
  try {
    const body = JSON.parse(bodyText) as { error?: { code?: string; message?: string } };
    if (body.error?.message) return new ApiError(status, body.error.code ?? "error", body.error.message);
  } catch {
    // not JSON: fall through
  }
  return new ApiError(status, "http_error", `${status} ${statusText}`.trim());
}

/** Sends a JSON request (or none) to the API with the user's key; resolves with the parsed body, rejects with an ApiError on a non-2xx status. */
export async function requestJson<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(path, {
    method,
    headers: headers(body === undefined ? {} : { "content-type": "application/json" }),
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw errorOf(response.status, response.statusText, text);
  return (text ? JSON.parse(text) : null) as T;
}

/**
 * Uploads one file as multipart (`POST /v1/documents`, part `file`) with XMLHttpRequest, the only
 * browser API that reports upload progress; `onProgress` gets the sent share (0–1). Resolves with the
 * status and parsed body whatever the status (the caller reads the per-item result or the error).
 */
export function uploadFile(file: File, onProgress: (share: number) => void): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open("POST", "/v1/documents");
    for (const [name, value] of Object.entries(headers())) request.setRequestHeader(name, value);
    request.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    });
    request.addEventListener("load", () => {
      let body: unknown = null;
      try {
        body = JSON.parse(request.responseText);
      } catch {
        body = null;
      }
      resolve({ status: request.status, body });
    });
    request.addEventListener("error", () => reject(new ApiError(0, "network_error", "the service could not be reached")));
    const form = new FormData();
    form.append("file", file, file.name);
    request.send(form);
  });
}

/**
 * `POST /v1/query` with `stream: true`: Server-Sent Events over a POST, so fetch and a stream reader
 * (EventSource only does GET). Calls `onEvent` with each event's name and parsed JSON data as it
 * arrives; rejects with an ApiError when the request itself is refused.
 */
export async function streamQuery(body: Record<string, unknown>, onEvent: (name: string, data: unknown) => void): Promise<void> {
  const response = await fetch("/v1/query", {
    method: "POST",
    headers: headers({ "content-type": "application/json", accept: "text/event-stream" }),
    body: JSON.stringify({ ...body, stream: true }),
  });
  if (!response.ok || !response.body) throw errorOf(response.status, response.statusText, await response.text());
  const parser = createSseParser((event: ServerSentEvent) => onEvent(event.event, JSON.parse(event.data)));
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parser.feed(value);
  }
  parser.end();
}

/** A short message for any error (an ApiError's message with its status, else the error's text). */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) return error.status ? `${error.message} (HTTP ${error.status})` : error.message;
  return error instanceof Error ? error.message : String(error);
}
