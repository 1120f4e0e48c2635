import { createExtractiveAnswerer } from "../../src/use-cases/answer/extractive-answerer.js";
import { runAnswererContract } from "./answerer.contract.js";

runAnswererContract({
  name: "extractive answerer",
  create: async () => ({ open: () => createExtractiveAnswerer({ maxSentences: 3 }), cleanup: async () => {} }),
  skip: [
    { reason: "answers synchronously from the passages in memory: there is no call for a signal to abort", tests: ["an already aborted signal rejects"] },
    { reason: "calls no model and no other dependency: nothing upstream can fail", tests: ["an upstream failure propagates as an AppError, streamed or not"] },
  ],
});
