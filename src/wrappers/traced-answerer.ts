import type { Answer, Answerer, AnswerEvent, AnswerRequest } from "../ports/answerer.js";
import type { SpanAttributes, Tracer } from "../ports/tracer.js";
import { tracedStream } from "./traced-stream.js";
import { wrapPort } from "./wrap-port.js";

/**
 * Each answer in a span `answer` (passages given, prompt version, stream or not; then the model that
 * answered, the outcome, whether it came from the answer cache, passages used and tokens), so the model calls it
 * makes are its children. A streamed answer's span lasts until its stream ends. With tracing off the
 * answerer is returned as it is.
 */
export function createTracedAnswerer(answerer: Answerer, tracer: Tracer | undefined): Answerer {
  if (!tracer?.enabled) return answerer;
  const before = (request: AnswerRequest, stream: boolean): SpanAttributes => ({
    "ragline.answer.prompt_version": answerer.promptVersion,
    "ragline.answer.passages": request.passages.length,
    "ragline.answer.stream": stream,
  });
  function answer(request: AnswerRequest, options?: { stream?: false }): Promise<Answer>;
  function answer(request: AnswerRequest, options: { stream: true }): AsyncIterable<AnswerEvent>;
  function answer(request: AnswerRequest, options?: { stream?: boolean }): Promise<Answer> | AsyncIterable<AnswerEvent> {
    if (options?.stream) {
      const span = tracer!.start("answer", before(request, true));
      return tracedStream(span, () => answerer.answer(request, { stream: true }), {
        onPart: (event) => {
          if (event.type === "result") span.setAttributes(after(event.result));
        },
        signal: request.signal,
      });
    }
    return tracer!.span("answer", before(request, false), async (span) => {
      const result = await answerer.answer(request);
      span.setAttributes(after(result));
      return result;
    });
  }
  return wrapPort(answerer, { answer: () => answer as never });
}

function after(result: Answer): SpanAttributes {
  return {
    "ragline.answer.model": result.model,
    "ragline.answer.outcome": result.outcome,
    "ragline.answer.cached": result.cached,
    "ragline.answer.used_passages": result.usedPassages,
    "gen_ai.usage.input_tokens": result.usage.inputTokens,
    "gen_ai.usage.output_tokens": result.usage.outputTokens,
  };
}
