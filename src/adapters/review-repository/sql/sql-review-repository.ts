import type { Kysely, Transaction } from "kysely";
import type { AnswerReview } from "../../../ports/grounding-judge.js";
import type {
  AnswerRecord,
  FeedbackRecord,
  ReviewDecision,
  ReviewPage,
  ReviewRecord,
  ReviewRepository,
  ReviewState,
  StoredExample,
} from "../../../ports/review-repository.js";
import { newestFirstPage } from "../../sql/list-cursor.js";
import type { SqlState } from "../../sql/open-database.js";
import type { SqlDatabase } from "../../sql/sql-schema.js";
import {
  answerFromRow,
  answerRow,
  encodeEmbedding,
  exampleFromRow,
  exampleRow,
  feedbackFromRow,
  feedbackRow,
  reviewFromRow,
  reviewRow,
} from "./review-rows.js";

type Writer = Kysely<SqlDatabase> | Transaction<SqlDatabase>;

/** ReviewRepository on the `answers`, `reviews`, `feedback` and `answer_examples` tables (SQLite embedded, PostgreSQL in server mode). */
export class SqlReviewRepository implements ReviewRepository {
  private readonly db: Kysely<SqlDatabase>;

  constructor(state: Pick<SqlState, "db">) {
    this.db = state.db;
  }

  async insertAnswer(answer: AnswerRecord, review: ReviewRecord | null): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.insertInto("answers").values(answerRow(answer)).execute();
      if (review) await trx.insertInto("reviews").values(reviewRow(review)).execute();
    });
  }

  async getAnswer(tenant: string, id: string): Promise<AnswerRecord | null> {
    const row = await this.db.selectFrom("answers").selectAll().where("tenant", "=", tenant).where("id", "=", id).executeTakeFirst();
    return row ? answerFromRow(row) : null;
  }

  async attachReview(tenant: string, answerId: string, verdict: { review: AnswerReview; judgeVersion: string }, queued: ReviewRecord | null): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const updated = await trx
        .updateTable("answers")
        .set({ review: JSON.stringify(verdict.review), judge_version: verdict.judgeVersion })
        .where("tenant", "=", tenant)
        .where("id", "=", answerId)
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) === 0) return false;
      if (queued) await trx.insertInto("reviews").values(reviewRow(queued)).execute();
      return true;
    });
  }

  async getReview(tenant: string, id: string): Promise<ReviewRecord | null> {
    const row = await this.db.selectFrom("reviews").selectAll().where("tenant", "=", tenant).where("id", "=", id).executeTakeFirst();
    return row ? reviewFromRow(row) : null;
  }

  async listReviews(options: { tenant: string; state?: ReviewState; limit: number; cursor?: string | null }): Promise<ReviewPage> {
    let query = this.db.selectFrom("reviews").selectAll().where("tenant", "=", options.tenant);
    if (options.state !== undefined) query = query.where("state", "=", options.state);
    const { items, nextCursor } = await newestFirstPage(query, options, reviewFromRow);
    return { reviews: items, nextCursor };
  }

  async decideReview(
    tenant: string,
    id: string,
    decision: ReviewDecision,
    created: { feedback?: FeedbackRecord; example?: StoredExample },
  ): Promise<ReviewRecord | null> {
    return this.db.transaction().execute(async (trx) => {
      const updated = await trx
        .updateTable("reviews")
        .set({
          state: decision.state,
          corrected_answer: decision.correctedAnswer,
          comment: decision.comment,
          example_id: decision.exampleId,
          decided_at: decision.decidedAt,
          decided_by: decision.decidedBy,
        })
        .where("tenant", "=", tenant)
        .where("id", "=", id)
        .where("state", "=", "pending")
        .executeTakeFirst();
      // Someone else decided it first (or it does not exist): nothing is written.
      if (Number(updated.numUpdatedRows) === 0) return null;
      await insertCreated(trx, created);
      const row = await trx.selectFrom("reviews").selectAll().where("tenant", "=", tenant).where("id", "=", id).executeTakeFirstOrThrow();
      return reviewFromRow(row);
    });
  }

  async insertFeedback(feedback: FeedbackRecord, created: { review?: ReviewRecord; example?: StoredExample }): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await insertCreated(trx, { feedback, example: created.example });
      if (created.review) await trx.insertInto("reviews").values(reviewRow(created.review)).execute();
    });
  }

  async getFeedback(tenant: string, id: string): Promise<FeedbackRecord | null> {
    const row = await this.db.selectFrom("feedback").selectAll().where("tenant", "=", tenant).where("id", "=", id).executeTakeFirst();
    return row ? feedbackFromRow(row) : null;
  }

  async deleteFeedback(tenant: string, id: string, close: { at: string; by: string }): Promise<{ exampleRemoved: boolean; reviewsClosed: number } | null> {
    return this.db.transaction().execute(async (trx) => {
      const deleted = await trx.deleteFrom("feedback").where("tenant", "=", tenant).where("id", "=", id).executeTakeFirst();
      if (Number(deleted.numDeletedRows) === 0) return null;
      const example = await trx.deleteFrom("answer_examples").where("tenant", "=", tenant).where("id", "=", id).executeTakeFirst();
      const closed = await trx
        .updateTable("reviews")
        .set({ state: "rejected", comment: "feedback deleted", decided_at: close.at, decided_by: close.by })
        .where("tenant", "=", tenant)
        .where("feedback_id", "=", id)
        .where("state", "=", "pending")
        .executeTakeFirst();
      return { exampleRemoved: Number(example.numDeletedRows) > 0, reviewsClosed: Number(closed.numUpdatedRows) };
    });
  }

  async examplesVersion(tenant: string): Promise<string> {
    const row = await this.db
      .selectFrom("answer_examples")
      .select((eb) => [eb.fn.countAll().as("count"), eb.fn.max("created_at").as("latest")])
      .where("tenant", "=", tenant)
      .executeTakeFirst();
    return `${Number(row?.count ?? 0)}:${row?.latest ?? ""}`;
  }

  async listExamples(tenant: string): Promise<StoredExample[]> {
    const rows = await this.db
      .selectFrom("answer_examples")
      .selectAll()
      .where("tenant", "=", tenant)
      .orderBy("created_at", "asc")
      .orderBy("id", "asc")
      .execute();
    return rows.map(exampleFromRow);
  }

  async updateExampleEmbeddings(tenant: string, updates: Array<{ id: string; embedding: number[]; embeddingModel: string }>): Promise<void> {
    if (updates.length === 0) return;
    await this.db.transaction().execute(async (trx) => {
      for (const update of updates) {
        await trx
          .updateTable("answer_examples")
          .set({ embedding: encodeEmbedding(update.embedding), embedding_model: update.embeddingModel })
          .where("tenant", "=", tenant)
          .where("id", "=", update.id)
          .execute();
      }
    });
  }
}

async function insertCreated(trx: Writer, created: { feedback?: FeedbackRecord; example?: StoredExample }): Promise<void> {
  if (created.feedback) await trx.insertInto("feedback").values(feedbackRow(created.feedback)).execute();
  if (created.example) await trx.insertInto("answer_examples").values(exampleRow(created.example)).execute();
}
