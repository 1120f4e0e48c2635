import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FileDocumentRepository } from "../../src/adapters/document-repository/file/file-document-repository.js";
import { runDocumentRepositoryContract } from "./document-repository.contract.js";

runDocumentRepositoryContract({
  name: "file",
  create: async () => {
    const directory = await mkdtemp(join(tmpdir(), "ragline-documents-contract-"));
    return { open: () => new FileDocumentRepository({ directory }), cleanup: () => rm(directory, { recursive: true, force: true }) };
  },
  skip: [
    {
      reason: "embedded mode: one instance per directory, its index and cache are not shared between instances",
      tests: ["concurrent updates from two instances lose none"],
    },
    {
      reason: "optional method: only shared (multi-process) repositories reconcile at start-up",
      tests: ["listByStatus finds records of every tenant in the given statuses, least recently updated first"],
    },
  ],
});
