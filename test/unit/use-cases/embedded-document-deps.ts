import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FileBlobStore } from "../../../src/adapters/blob-store/file/file-blob-store.js";
import { SqlDocumentRepository } from "../../../src/adapters/document-repository/sql/sql-document-repository.js";
import { openSqliteDatabase } from "../../../src/adapters/sql/open-database.js";
import { SqlJobQueue } from "../../../src/adapters/job-queue/sql/sql-job-queue.js";
import { KeyedLock } from "../../../src/core/keyed-lock.js";
import type { IngestJobData } from "../../../src/use-cases/ingest-job.js";
import type { UploadItem } from "../../../src/use-cases/submit-document.js";

/** The embedded records, blobs and queue (not started: each test decides when and how jobs run) on a temp directory. */
export async function createEmbeddedDocumentDeps() {
  const directory = await mkdtemp(join(tmpdir(), "ragline-use-case-"));
  const state = await openSqliteDatabase({ path: join(directory, "state.sqlite") });
  const queue = new SqlJobQueue<IngestJobData>({ state, maxAttempts: 1, closeGraceMs: 200 });
  return {
    directory,
    documents: new SqlDocumentRepository(state, { jobMaxAttempts: 1 }),
    blobs: new FileBlobStore({ directory: join(directory, "blobs") }),
    queue,
    locks: new KeyedLock(),
    async cleanup() {
      await queue.close();
      await state.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

export function textUpload(text: string, externalId: string | null = null): UploadItem {
  return { bytes: new TextEncoder().encode(text), fileName: null, title: null, metadata: {}, externalId };
}
