/** The extractive answerer's name and version, and the fixed answers the query use case gives in any answerer's name (refusal, no context, store down). */
export const EXTRACTIVE_PROMPT_VERSION = "extractive.v1";
export const EXTRACTIVE_MODEL = "local-extractive";
export const NOT_FOUND_ANSWER = "I could not find this in the documents.";
export const NO_CONTEXT_ANSWER = "No passage of the documents is relevant enough to answer this, and no language model is configured to answer without them.";
export const STORE_UNAVAILABLE_ANSWER =
  "The documents are unavailable right now (the document store cannot be reached), so this question cannot be answered from them. Please try again later.";
