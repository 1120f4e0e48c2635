import { createOutboxRelay } from "../adapters/outbox/outbox-relay.js";
import type { SqlState } from "../adapters/sql/open-database.js";
import type { Config } from "../config/schema.js";
import type { DocumentRepository } from "../ports/document-repository.js";
import type { JobQueue } from "../ports/job-queue.js";
import type { Logger } from "../ports/logger.js";
import type { IngestJobData } from "../use-cases/ingest-job.js";
import { reconcileDocuments } from "../use-cases/reconcile-documents.js";
import { wrapPort } from "../wrappers/wrap-port.js";
import { startPeriodicTask } from "./periodic-task.js";

export interface ServerModeBackground {
  /** `documents` whose `putWithJob` wakes the relay once the record and its outbox row are committed. */
  documents: DocumentRepository;
  /** Stops the relay and the reconciler, waiting for a run in progress. */
  stop(): Promise<void>;
}

/**
 * Server mode's background work, in every process (safe with any number of them): the outbox relay
 * hands `jobs` rows to BullMQ right after each upload of this process and every
 * `ingest.relayIntervalMs`; the reconciler repairs documents stranded between PostgreSQL and BullMQ
 * every `ingest.reconcileIntervalMs`, from start (the API runs for months, so not only at start).
 */
export function startServerModeBackground(deps: {
  config: Config;
  state: SqlState;
  documents: DocumentRepository;
  queue: JobQueue<IngestJobData>;
  logger: Logger;
}): ServerModeBackground {
  const { config, state, queue } = deps;
  const logger = deps.logger.child({ component: "outbox" });
  const outbox = createOutboxRelay<IngestJobData>({ state, queue });
  const relay = startPeriodicTask({ name: "outbox relay", intervalMs: config.ingest.relayIntervalMs, run: () => outbox.relayPending(), logger });
  const reconciler = startPeriodicTask({
    name: "reconcile documents",
    intervalMs: config.ingest.reconcileIntervalMs,
    run: () => reconcileDocuments({ documents: deps.documents, queue, logger }, { stableForMs: config.ingest.reconcileIntervalMs }),
    logger,
  });
  const documents = wrapPort(deps.documents, {
    putWithJob:
      (next) =>
      async (...args) => {
        const result = await next(...args);
        relay.wake();
        return result;
      },
    putManyWithJobs:
      (next) =>
      async (...args) => {
        const result = await next(...args);
        relay.wake();
        return result;
      },
  });
  return {
    documents,
    async stop() {
      await Promise.all([relay.stop(), reconciler.stop()]);
    },
  };
}
