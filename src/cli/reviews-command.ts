import type { Command } from "commander";
import type { ApiClient } from "./api-client.js";
import { print, table } from "./output.js";

interface Review {
  id: string;
  state: string;
  score: number | null;
  question: string;
  answer: string | null;
  reasons: string[];
  proposed_answer: string | null;
  corrected_answer: string | null;
  example_id: string | null;
}

const shortened = (text: string | null, length = 60) => {
  const flat = (text ?? "").replace(/\s+/g, " ").trim();
  return flat.length > length ? `${flat.slice(0, length - 3)}...` : flat;
};

/** One review for people: its state, the question, the answer, why it is in the queue, and its outcome. */
function describeReview(review: Review): string {
  const lines = [
    `${review.id}  ${review.state}${review.score === null ? "" : `  score ${review.score}`}`,
    `Q: ${review.question}`,
    `A: ${review.answer ?? "(none)"}`,
  ];
  for (const reason of review.reasons) lines.push(`  - ${reason}`);
  if (review.proposed_answer) lines.push(`proposed: ${review.proposed_answer}`);
  if (review.corrected_answer) lines.push(`corrected: ${review.corrected_answer}`);
  if (review.example_id) lines.push(`example: ${review.example_id} (ragline feedback rm ${review.example_id} removes it)`);
  return lines.join("\n");
}

/**
 * `ragline reviews [--state pending]` (a `review` key; `admin` may list), `ragline reviews
 * approve|reject <id>`, `ragline reviews correct <id> "<text>"`; and `ragline feedback give
 * <answer_id> up|down [--correct "<text>"]`, `ragline feedback rm <id>`.
 */
export function addReviewCommands(program: Command, client: () => ApiClient, json: () => boolean): void {
  const reviews = program.command("reviews").description("the answer review queue (review key)");
  reviews
    .command("list", { isDefault: true })
    .description("reviews in one state, newest first")
    .option("--state <state>", "pending | approved | rejected | corrected", "pending")
    .option("--limit <n>", "at most n", "50")
    .action(async (options: { state: string; limit: string }) => {
      const query = new URLSearchParams({ state: options.state, limit: options.limit });
      const page = await client().json<{ reviews: Review[] }>("GET", `/v1/reviews?${query}`);
      const rows = page.reviews.map((review) => ({ ...review, question: shortened(review.question), reasons: shortened(review.reasons.join("; "), 50) }));
      print(page, json(), () => table(rows, ["id", "state", "score", "question", "reasons"]));
    });
  const decide = async (id: string, body: Record<string, unknown>) => {
    const review = await client().json<Review>("POST", `/v1/reviews/${encodeURIComponent(id)}`, body);
    print(review, json(), () => describeReview(review));
  };
  for (const action of ["approve", "reject"] as const) {
    reviews
      .command(action)
      .argument("<id>")
      .option("--comment <text>")
      .action((id: string, options: { comment?: string }) => decide(id, { action, ...(options.comment ? { comment: options.comment } : {}) }));
  }
  reviews
    .command("correct")
    .description("replace the answer; the corrected text becomes a few-shot example")
    .argument("<id>")
    .argument("<text>", "the corrected answer")
    .option("--comment <text>")
    .action((id: string, text: string, options: { comment?: string }) =>
      decide(id, { action: "correct", corrected_answer: text, ...(options.comment ? { comment: options.comment } : {}) }),
    );

  const feedback = program.command("feedback").description("rate answers (write or review key)");
  feedback
    .command("give")
    .argument("<answer_id>")
    .argument("<rating>", "up | down")
    .option("--correct <text>", "what the answer should have been (with down)")
    .option("--comment <text>")
    .action(async (answerId: string, rating: string, options: { correct?: string; comment?: string }) => {
      const body = { rating, ...(options.correct ? { corrected_answer: options.correct } : {}), ...(options.comment ? { comment: options.comment } : {}) };
      const given = await client().json<{ id: string; review_id: string | null; example_id: string | null }>(
        "POST",
        `/v1/answers/${encodeURIComponent(answerId)}/feedback`,
        body,
      );
      const outcome = given.example_id ? "it is now an example" : given.review_id ? `review ${given.review_id} opened` : "stored";
      print(given, json(), () => `feedback ${given.id}: ${outcome}`);
    });
  feedback
    .command("rm")
    .argument("<id>")
    .action(async (id: string) => {
      const deleted = await client().json<{ example_removed: boolean }>("DELETE", `/v1/feedback/${encodeURIComponent(id)}`);
      print(deleted, json(), () => `deleted ${id}${deleted.example_removed ? " (its example is no longer used)" : ""}`);
    });
}
