import type { Context } from "hono";
import type { AnswerReview } from "../../ports/grounding-judge.js";
import type { ReviewRepository } from "../../ports/review-repository.js";
import { attachAnswerReview, recordAnswer, type RecordedResult } from "../../use-cases/reviews/record-answer.js";
import type { AppEnv } from "../app-env.js";

/** Records a query's answer (`answer_id`) and, later, a streamed answer's verdict. */
export interface AnswerRecorder {
  /** The answer's `answer_id`; null when nothing is recorded (retrieve mode, no repository) or recording failed. */
  record(result: RecordedResult): Promise<string | null>;
  /** Attaches a streamed answer's verdict (queuing it for review when needed); failures are logged. */
  attach(answerId: string, review: AnswerReview, judgeVersion: string): Promise<void>;
}

/**
 * The recorder of one query request. A recording failure never fails the query: the answer was
 * produced and is worth more than its record, so the failure is logged (warn, with the request id)
 * and the response carries `answer_id: null` (no feedback can be given on that answer).
 */
export function answerRecorder(
  reviews: ReviewRepository | undefined,
  context: Context<AppEnv>,
  query: { tenant: string; keyId?: string; question: string; mode: "answer" | "retrieve" },
): AnswerRecorder {
  const logFailure = (error: unknown, message: string) => context.get("logger")?.warn({ err: error, requestId: context.get("requestId") }, message);
  return {
    async record(result) {
      if (!reviews || query.mode !== "answer") return null;
      try {
        return await recordAnswer({ reviews }, { tenant: query.tenant, keyId: query.keyId, question: query.question, result });
      } catch (error) {
        logFailure(error, "answer not recorded: answer_id is null");
        return null;
      }
    },
    async attach(answerId, review, judgeVersion) {
      if (!reviews) return;
      try {
        await attachAnswerReview({ reviews }, { tenant: query.tenant, answerId, review, judgeVersion });
      } catch (error) {
        logFailure(error, "streamed answer's review not recorded");
      }
    },
  };
}
