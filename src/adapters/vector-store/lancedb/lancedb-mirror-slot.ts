import type { Table } from "@lancedb/lancedb";
import { LanceDbMemoryMirror } from "./lancedb-memory-mirror.js";
import { scanRowAddresses } from "./lancedb-row-addresses.js";
import type { ChunkRow } from "./lancedb-schema.js";
import { type Logger } from "../../../ports/logger.js";

export interface LanceDbMirrorSlotDeps {
  /** Largest table mirrored; 0 disables the mirror. */
  maxRows: number;
  logger: Logger;
  /** The store's single writer: a reload after a failed write is queued on it. */
  writer: { run<T>(task: () => Promise<T>): Promise<T> };
  /** The collection's dimension once known; null while there is no table. */
  dimension: () => number | null;
  isClosed: () => boolean;
}

/**
 * The life cycle of a LanceDbVectorStore's memory mirror: loaded with the table, kept in step with
 * each committed write, dropped when the table outgrows it or a write's outcome is unknown (then
 * reloaded behind the pending writes), its row addresses re-read after each optimize. `current` is
 * null whenever searches must go to LanceDB.
 */
export class LanceDbMirrorSlot {
  current: LanceDbMemoryMirror | null = null;

  constructor(private readonly deps: LanceDbMirrorSlotDeps) {}

  /** A mirror of the table when enabled and the table is within bounds, else null. Call only where no write can commit meanwhile. */
  async load(table: Table): Promise<LanceDbMemoryMirror | null> {
    const dimension = this.deps.dimension();
    if (this.deps.maxRows === 0 || dimension === null || this.deps.isClosed()) return null;
    const started = performance.now();
    const mirror = await LanceDbMemoryMirror.load(table, dimension, this.deps.maxRows);
    if (!mirror) {
      this.deps.logger.info({ maxRows: this.deps.maxRows }, "LanceDB table exceeds the memory mirror bound; searching LanceDB");
      return null;
    }
    this.deps.logger.info(
      { rows: mirror.size, ms: Math.round(performance.now() - started), approximateMiB: Math.round(mirror.estimateBytes() / 2 ** 20) },
      "LanceDB memory mirror loaded",
    );
    return mirror;
  }

  /**
   * Runs one engine write (writer task only). When it fails, the commit may or may not have happened,
   * so the mirror can no longer be trusted: searches go to LanceDB until a reload queued behind the
   * pending writes has rebuilt it from the table.
   */
  async write(table: Table, write: () => Promise<unknown>): Promise<void> {
    try {
      await write();
    } catch (error) {
      if (this.current) {
        this.current = null;
        this.deps.writer
          .run(async () => {
            this.current = await this.load(table);
          })
          .catch((reloadError: unknown) => {
            this.deps.logger.warn(
              { error: reloadError instanceof Error ? reloadError.message : String(reloadError) },
              "LanceDB memory mirror reload failed; searching LanceDB",
            );
          });
      }
      throw error;
    }
  }

  /** Applies committed upserts; drops the mirror once the table outgrew it. */
  applyUpserts(rows: ChunkRow[]): void {
    const mirror = this.current;
    if (!mirror) return;
    mirror.upsert(rows);
    if (mirror.size > this.deps.maxRows) {
      this.deps.logger.info({ rows: mirror.size, maxRows: this.deps.maxRows }, "LanceDB memory mirror dropped: table outgrew it");
      this.current = null;
    }
  }

  /** After compaction moved every row: the mirror's address map is read again (a failure only costs lookups later). Writer task. */
  async relearnRowAddresses(table: Table): Promise<void> {
    const mirror = this.current;
    if (!mirror) return;
    try {
      const { addresses, ids } = await scanRowAddresses(table);
      mirror.addresses.replaceAll(addresses, ids);
    } catch (error) {
      this.deps.logger.warn(
        { error: error instanceof Error ? error.message : String(error) },
        "LanceDB row addresses not re-read after optimize; looked up on use",
      );
    }
  }
}
