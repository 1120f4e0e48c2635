// The CLI's one way to the service: HTTP with the API key, JSON in and out, errors as CliError.

/** A failure the CLI reports in one line, with the exit code it ends with. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

/** Exit codes: 0 done, 1 something was refused or failed, 2 bad usage, 3 the service could not be reached or answered an error. */
export const EXIT = { ok: 0, failed: 1, usage: 2, service: 3 } as const;

export interface ClientOptions {
  url: string;
  apiKey?: string;
}

export class ApiClient {
  constructor(private readonly options: ClientOptions) {}

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return { ...(this.options.apiKey ? { authorization: `Bearer ${this.options.apiKey}` } : {}), ...extra };
  }

  /** The raw response of a request (for streams); connection failures become CliError. */
  async send(method: string, path: string, init: { body?: BodyInit; headers?: Record<string, string> } = {}): Promise<Response> {
    try {
      return await fetch(new URL(path, this.options.url), { method, headers: this.headers(init.headers), body: init.body });
    } catch (error) {
      const cause = error as { message: string; cause?: { code?: string; message?: string; errors?: Array<{ code?: string }> } };
      const reason = cause.cause?.code ?? cause.cause?.errors?.[0]?.code ?? cause.cause?.message ?? cause.message;
      throw new CliError(`cannot reach Ragline at ${this.options.url} (${reason}); set --url or RAGLINE_URL`, EXIT.service);
    }
  }

  /** JSON of a request; a non-2xx answer becomes CliError with the service's own message. */
  async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await this.send(method, path, body === undefined ? {} : { body: JSON.stringify(body), headers: { "content-type": "application/json" } });
    return readJson<T>(response);
  }
}

export async function readJson<T>(response: Response): Promise<T> {
  const text = await response.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = null;
  }
  if (!response.ok) {
    const error = (parsed as { error?: { code?: string; message?: string } } | null)?.error;
    const message = error?.message ?? (text.slice(0, 200) || response.statusText);
    throw new CliError(`${response.status} ${error?.code ?? "error"}: ${message}`, response.status === 400 ? EXIT.usage : EXIT.service);
  }
  return parsed as T;
}
