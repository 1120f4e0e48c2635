/** A reviewed question/answer pair of a tenant, reused as a few-shot example in the answer prompt. */
export interface AnswerExample {
  /** The feedback id it came from (listed in the answer's `examples`). */
  id: string;
  question: string;
  answer: string;
  /** Cosine similarity of its question to the new question. */
  similarity: number;
}

/**
 * Port for finding the corrections to show the model for a new question (config `answer.examples`):
 * only corrections made through a review of the same tenant, above `minSimilarity`, at most `max`,
 * most similar first. Deleted feedback is never returned.
 */
export interface AnswerExampleSource {
  find(input: { tenant: string; question: string; signal?: AbortSignal }): Promise<AnswerExample[]>;
}
