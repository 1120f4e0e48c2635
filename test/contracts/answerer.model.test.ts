import { buildModelLayer } from "../helpers/model-layer-fixtures.js";
import { startOpenAiStandIn } from "../helpers/openai-stand-in-server.js";
import { runAnswererContract } from "./answerer.contract.js";

runAnswererContract({
  name: "model answerer (against the OpenAI-compatible stand-in server)",
  create: async () => {
    const standIn = await startOpenAiStandIn();
    return {
      open: () => buildModelLayer(standIn.baseUrl, { openai: { maxAttempts: 1 } }).answerer,
      breakUpstream: () => {
        standIn.defaultChat = { kind: "status", status: 500 };
      },
      cleanup: () => standIn.close(),
    };
  },
  skip: [
    {
      reason: "a model says in words that the passages do not answer (it never returns not_found), and the stand-in model always answers from passage 1",
      tests: ["a question the passages share nothing with is not_found, with no text and no citations"],
    },
  ],
});
