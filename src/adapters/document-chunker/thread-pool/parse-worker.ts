import { createTokenCounter } from "../../../core/text/token-counter.js";
import { createParserRegistry } from "../../parser/parser-registry.js";
import { parseAndChunk } from "../parse-and-chunk.js";
import { serializeParseError, type ParseTask, type ParseTaskResult } from "./parse-task.js";

// One registry and token counter per thread, reused by every document the thread parses.
const parse = createParserRegistry();
const tokens = createTokenCounter();

/** Runs in a pool thread (loaded by parse-worker.mjs): one document → its chunks, or its error as data. */
export async function runParseTask(task: ParseTask): Promise<ParseTaskResult> {
  task.started.postMessage(null);
  task.started.close();
  try {
    const result = await parseAndChunk({ parse, tokens, maxExtractedChars: task.maxExtractedChars, maxPages: task.maxPages }, task);
    return { ok: true, ...result };
  } catch (error) {
    return { ok: false, error: serializeParseError(error) };
  }
}
