import { Piscina } from "piscina";
import { UnprocessableDocumentError } from "../../../core/errors.js";
import type { ChunkDocumentRequest, DocumentChunker, DocumentChunks } from "../../../ports/document-chunker.js";
import type { Logger } from "../../../ports/logger.js";
import { deserializeParseError, type ParseTask, type ParseTaskResult } from "./parse-task.js";

export interface ThreadPoolChunkerOptions {
  /** Parse threads: documents parsed at once; more wait for a free thread. */
  threads: number;
  /** Most time one document may take from the moment a thread starts it; then that thread is terminated. */
  timeoutMs: number;
  /** Old-generation heap of each thread; a parse needing more kills its thread only. */
  maxHeapMb: number;
  maxExtractedChars: number;
  logger?: Logger;
  /** Worker module (default: parse-worker.mjs next to this file); tests point it at a stand-in that crashes. */
  workerUrl?: URL;
}

const DEFAULT_WORKER_URL = new URL("./parse-worker.mjs", import.meta.url);
// An idle thread stays this long, so a stream of uploads does not pay thread start-up for each one.
const IDLE_THREAD_MS = 60_000;

/**
 * Parses and chunks on a piscina pool of worker threads, so the event loop never runs a parser:
 * at most `threads` documents at once, each with a time limit that counts from when its thread
 * starts it (a queued document is not timed). Over the time limit the thread is terminated; out of
 * heap the thread dies; a thread that exits or throws outside the parse dies — each rejects that
 * document with UnprocessableDocumentError naming the limit or the crash, and piscina starts a
 * fresh thread for the next document. Errors the parse itself throws (422, 415) are rebuilt on
 * this side with their code and details.
 */
export function createThreadPoolDocumentChunker(options: ThreadPoolChunkerOptions): DocumentChunker {
  const pool = new Piscina<ParseTask, ParseTaskResult>({
    filename: (options.workerUrl ?? DEFAULT_WORKER_URL).href,
    // Threads start with the service (and a replacement right after a thread dies), so start-up is not timed as parsing.
    minThreads: options.threads,
    maxThreads: options.threads,
    concurrentTasksPerWorker: 1,
    idleTimeout: IDLE_THREAD_MS,
    resourceLimits: { maxOldGenerationSizeMb: options.maxHeapMb },
  });
  // A thread that dies between tasks is replaced; without a listener piscina's 'error' would be unhandled.
  pool.on("error", (error: unknown) => options.logger?.warn({ error: describe(error) }, "parse thread failed outside a document"));
  const slots = new Slots(options.threads);
  let closed = false;

  async function runOnThread(request: ChunkDocumentRequest): Promise<ParseTaskResult> {
    const task: ParseTask = { ...request, maxExtractedChars: options.maxExtractedChars };
    try {
      return await pool.run(task, { signal: AbortSignal.timeout(options.timeoutMs) });
    } catch (error) {
      throw threadFailure(error, options);
    }
  }

  return {
    async chunk(request: ChunkDocumentRequest): Promise<DocumentChunks> {
      if (closed) throw new Error("the document chunker is closed");
      const result = await slots.run(() => runOnThread(request));
      if (!result.ok) throw deserializeParseError(result.error);
      return { chunks: result.chunks, parsedTitle: result.parsedTitle };
    },
    async close() {
      closed = true;
      await pool.destroy();
    },
  };
}

/** The document's error for a thread that did not answer: over time, out of heap, or crashed. */
function threadFailure(error: unknown, options: ThreadPoolChunkerOptions): UnprocessableDocumentError {
  const name = error instanceof Error ? error.name : "";
  const code = (error as { code?: unknown } | null)?.code;
  if (name === "AbortError") {
    return new UnprocessableDocumentError(`parsing took longer than ${options.timeoutMs} ms (ingest.parseTimeoutMs) and was stopped`, {
      cause: error,
      details: { limit: "parseTimeoutMs", parseTimeoutMs: options.timeoutMs },
    });
  }
  if (code === "ERR_WORKER_OUT_OF_MEMORY") {
    return new UnprocessableDocumentError(`parsing ran out of memory: it needed more than ${options.maxHeapMb} MB of heap (ingest.parseMaxHeapMb)`, {
      cause: error,
      details: { limit: "parseMaxHeapMb", parseMaxHeapMb: options.maxHeapMb },
    });
  }
  options.logger?.warn({ error: describe(error) }, "parse thread crashed");
  return new UnprocessableDocumentError(`the parser crashed: ${describe(error)}`, { cause: error, details: { limit: null } });
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A FIFO of at most `size` running calls: the time limit starts when a call gets a thread, not when it is queued. */
class Slots {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly size: number) {}

  async run<T>(call: () => Promise<T>): Promise<T> {
    if (this.running >= this.size) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running += 1;
    try {
      return await call();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running -= 1;
    }
  }
}
