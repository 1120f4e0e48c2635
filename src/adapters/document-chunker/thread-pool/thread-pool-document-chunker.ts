import { MessageChannel } from "node:worker_threads";
import { Piscina } from "piscina";
import { UnprocessableDocumentError } from "../../../core/errors.js";
import type { ChunkDocumentRequest, DocumentChunker, DocumentChunks } from "../../../ports/document-chunker.js";
import type { Logger } from "../../../ports/logger.js";
import { deserializeParseError, type ParseTask, type ParseTaskResult } from "./parse-task.js";

export interface ThreadPoolChunkerOptions {
  /** Parse threads: documents parsed at once; more wait for a free thread. */
  threads: number;
  /** Most time one document may take from the moment its thread starts it; then that thread is terminated. */
  timeoutMs: number;
  /** Old-generation heap of each thread; a parse needing more kills its thread only. */
  maxHeapMb: number;
  maxExtractedChars: number;
  /** Most pages of a PDF (ingest.maxPages). */
  maxPages?: number;
  logger?: Logger;
  /** Worker module (default: parse-worker.mjs next to this file); tests point it at a stand-in that misbehaves. */
  workerUrl?: URL;
}

const DEFAULT_WORKER_URL = new URL("./parse-worker.mjs", import.meta.url);

/**
 * Parses and chunks on a piscina pool of worker threads, so the event loop never runs a parser:
 * at most `threads` documents at once, each with a time limit that counts from when its thread
 * starts it (time queued, or waiting for a fresh thread to load, is not counted). Over the time
 * limit the thread is terminated; out of heap the thread dies; a thread that exits dies — each
 * rejects that document with UnprocessableDocumentError naming the limit or the crash, and piscina
 * starts a fresh thread for the next document. Errors the parse itself throws (422, 415) are rebuilt
 * on this side with their code and details.
 */
export function createThreadPoolDocumentChunker(options: ThreadPoolChunkerOptions): DocumentChunker {
  const pool = new Piscina<ParseTask, ParseTaskResult>({
    filename: (options.workerUrl ?? DEFAULT_WORKER_URL).href,
    // Threads start with the service, and a replacement right after a thread dies.
    minThreads: options.threads,
    maxThreads: options.threads,
    concurrentTasksPerWorker: 1,
    idleTimeout: Number.POSITIVE_INFINITY,
    resourceLimits: { maxOldGenerationSizeMb: options.maxHeapMb },
  });
  // A thread that dies between documents is replaced; without a listener piscina's 'error' would be unhandled.
  pool.on("error", (error: unknown) => options.logger?.warn({ error: describe(error) }, "parse thread failed outside a document"));
  let closed = false;

  async function runOnThread(request: ChunkDocumentRequest): Promise<ParseTaskResult> {
    const { port1: startedListener, port2: started } = new MessageChannel();
    const stop = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    let timedOut = false;
    startedListener.once("message", () => {
      timer = setTimeout(() => {
        timedOut = true;
        stop.abort();
      }, options.timeoutMs);
    });
    try {
      const task: ParseTask = { ...request, maxExtractedChars: options.maxExtractedChars, maxPages: options.maxPages, started };
      return await pool.run(task, { signal: stop.signal, transferList: [started] });
    } catch (error) {
      throw threadFailure(error, timedOut, options);
    } finally {
      clearTimeout(timer);
      startedListener.close();
    }
  }

  return {
    async chunk(request: ChunkDocumentRequest): Promise<DocumentChunks> {
      if (closed) throw new Error("the document chunker is closed");
      const result = await runOnThread(request);
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
function threadFailure(error: unknown, timedOut: boolean, options: ThreadPoolChunkerOptions): Error {
  if (timedOut) {
    return new UnprocessableDocumentError(`parsing took longer than ${options.timeoutMs} ms (ingest.parseTimeoutMs) and was stopped`, {
      cause: error,
      details: { limit: "parseTimeoutMs", parseTimeoutMs: options.timeoutMs },
    });
  }
  if ((error as { code?: unknown } | null)?.code === "ERR_WORKER_OUT_OF_MEMORY") {
    return new UnprocessableDocumentError(`parsing ran out of memory: it needed more than ${options.maxHeapMb} MB of heap (ingest.parseMaxHeapMb)`, {
      cause: error,
      details: { limit: "parseMaxHeapMb", parseMaxHeapMb: options.maxHeapMb },
    });
  }
  // Closing the pool aborts what is queued or running: not the document's fault, so not a permanent failure.
  if (error instanceof Error && error.name === "AbortError") return error;
  options.logger?.warn({ error: describe(error) }, "parse thread crashed");
  return new UnprocessableDocumentError(`the parser crashed: ${describe(error)}`, { cause: error, details: { limit: null } });
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
