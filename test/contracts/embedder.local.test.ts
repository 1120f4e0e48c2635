import { LocalHashEmbedder } from "../../src/adapters/embedder/local/local-hash-embedder.js";
import { runEmbedderContract } from "./embedder.contract.js";

runEmbedderContract({
  name: "local hashed embedder",
  create: async () => ({ open: () => new LocalHashEmbedder({ dimension: 256 }), cleanup: async () => undefined }),
});
