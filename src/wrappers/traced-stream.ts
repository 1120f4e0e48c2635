import type { OpenSpan, SpanAttributes } from "../ports/tracer.js";
import { failedOutcome } from "./model-span.js";

/**
 * Iterates `open()` inside `span` (each step runs with the span current, so what the stream calls is
 * its child), passing each part to `onPart`, and ends the span with the stream: `ragline.outcome`
 * `ok` at its end, `error` (or `aborted` when `signal` aborted) when it throws, `cancelled` when the
 * consumer stops early (the inner stream is closed then too).
 */
export async function* tracedStream<T>(
  span: OpenSpan,
  open: () => AsyncIterable<T>,
  options: { onPart?: (part: T) => void; signal?: AbortSignal } = {},
): AsyncIterable<T> {
  let outcome: SpanAttributes = { "ragline.outcome": "cancelled" };
  let failure: unknown;
  let iterator: AsyncIterator<T> | undefined;
  let finished = false;
  try {
    iterator = span.run(() => open()[Symbol.asyncIterator]());
    for (;;) {
      const step = await span.run(() => iterator!.next());
      if (step.done) break;
      options.onPart?.(step.value);
      yield step.value;
    }
    finished = true;
    outcome = { "ragline.outcome": "ok" };
  } catch (error) {
    finished = true;
    outcome = failedOutcome(options.signal);
    failure = error;
    throw error;
  } finally {
    if (!finished) await iterator?.return?.();
    span.setAttributes(outcome);
    span.end(failure);
  }
}
