import { close, ftruncate, open, write } from "node:fs";
import { mkdir, readFile, rename, rm } from "node:fs/promises";
import { dirname } from "node:path";
import { ExclusiveLock } from "./directory-lock.js";
import { type Logger } from "../../../ports/logger.js";

export interface AppendOnlyJournalOptions {
  /** The journal file; its directory is created when missing. One journal instance per file (locked). */
  path: string;
  /** Rewritten to its live entries once this many lines (and twice the live count) were appended since the last rewrite. Default 5 000. */
  compactAfterLines?: number;
  /** The lock beside the journal: stale after `staleMs` without a refresh, waited for at most `waitMs` (see ExclusiveLock). */
  lock?: { staleMs?: number; waitMs?: number };
  logger?: Logger;
}

interface PendingLine {
  id: string;
  /** The serialized entry, or null for a removal. */
  value: string | null;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * A key → JSON value map persisted as an append-only file of JSON lines (`{"id":…,"value":…}`, a
 * removal is `{"id":…,"removed":true}`; the last line for an id wins). Each `put`/`remove` resolves
 * once its line is in the file; lines handed over while another write is in flight are group-committed
 * in one `write`. Compared with one file per key written by temp file + rename, a state change costs
 * one appended line instead of a create, a write, a close and a rename.
 *
 * Failure model:
 * - `kill -9` at any instant loses nothing acknowledged (written bytes are in the page cache, which
 *   survives the process); a torn last line is skipped by `load` and dropped by the rewrite at load.
 * - A failed write is cut off again (truncated to the acknowledged length), so a rejected line never
 *   takes effect and never glues onto the next one; if even that fails, the file is marked damaged and
 *   rewritten from the acknowledged lines before anything else is appended (or at close).
 * - A rewrite (compaction) writes a temp file through a descriptor that is kept after the rename, so
 *   appends never go to a file that lost its name; a failed rewrite leaves the old file in use.
 * - No fsync: like the rest of DATA_DIR, a power loss may drop the last writes.
 * - One instance per file: an ExclusiveLock beside it. Losing the lock stops all writes.
 */
export class AppendOnlyJournal {
  private readonly path: string;
  private readonly compactAfterLines: number;
  private readonly logger: Logger | undefined;
  private readonly lock: ExclusiveLock;
  /** Last line written per live id: what a rewrite keeps. */
  private readonly live = new Map<string, string>();
  private pending: PendingLine[] = [];
  private descriptor: number | null = null;
  /** Bytes of the file that hold acknowledged lines; every write goes at this offset. */
  private size = 0;
  private writing: Promise<void> | null = null;
  /** Settles after the most recently handed-over line (batches settle in order). */
  private lastLine: Promise<void> = Promise.resolve();
  private linesSinceRewrite = 0;
  /** The file may hold bytes past `size` that could not be cut off: rewrite before appending. */
  private damaged = false;
  private loading: Promise<Map<string, unknown>> | null = null;
  private closing: Promise<void> | null = null;
  private stopped: Error | null = null;

  constructor(options: AppendOnlyJournalOptions) {
    this.path = options.path;
    this.compactAfterLines = options.compactAfterLines ?? 5_000;
    this.logger = options.logger;
    this.lock = new ExclusiveLock({
      path: `${this.path}.lock`,
      what: "job journal",
      ...options.lock,
      onCompromised: (error) => {
        this.stopped = new Error(`journal ${this.path} lost its lock; refusing writes`, { cause: error });
        this.logger?.error({ file: this.path, error: error.message }, "journal lock lost (another process took it over); refusing writes");
      },
    });
  }

  /** Takes the lock, replays the file (a missing file is empty), rewrites it to its live entries and opens it for appends. Once. */
  load(): Promise<Map<string, unknown>> {
    if (this.closing) return Promise.reject(new Error(`journal ${this.path} is closed`));
    this.loading ??= this.replay();
    return this.loading;
  }

  put(id: string, value: unknown): Promise<void> {
    let line: string;
    try {
      line = JSON.stringify({ id, value });
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    return this.append(id, line);
  }

  remove(id: string): Promise<void> {
    return this.append(id, null);
  }

  /** Resolves once every line handed over so far is written (or failed); later lines are not waited for. */
  async flush(): Promise<void> {
    await this.lastLine;
  }

  /** Refuses new lines at once, waits for a load and for the lines handed over, then closes the file and releases the lock. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.loading?.catch(() => undefined);
      await this.flush();
      // A rewrite may still follow the last batch.
      while (this.writing) await this.writing.catch(() => undefined);
      if (this.damaged && this.stopped === null) await this.rewrite().catch(() => undefined);
      const descriptor = this.descriptor;
      this.descriptor = null;
      if (descriptor !== null) await closeDescriptor(descriptor).catch(() => undefined);
      await this.lock.release().catch(() => undefined);
    })();
    return this.closing;
  }

  private async replay(): Promise<Map<string, unknown>> {
    await mkdir(dirname(this.path), { recursive: true });
    await this.lock.acquire();
    try {
      const values = await this.readEntries();
      await this.rewrite();
      return values;
    } catch (error) {
      await this.lock.release().catch(() => undefined);
      throw error;
    }
  }

  private async readEntries(): Promise<Map<string, unknown>> {
    let text = "";
    try {
      text = await readFile(this.path, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
    const values = new Map<string, unknown>();
    const lines = text.split("\n");
    lines.forEach((line, index) => {
      if (line === "") return;
      const entry = parseLine(line);
      if (!entry) {
        this.logger?.warn({ file: this.path, line: index + 1, torn: index === lines.length - 1 }, "skipping an unreadable journal line");
        return;
      }
      if (entry.removed) {
        values.delete(entry.id);
        this.live.delete(entry.id);
      } else {
        values.set(entry.id, entry.value);
        this.live.set(entry.id, line);
      }
    });
    return values;
  }

  private append(id: string, value: string | null): Promise<void> {
    if (this.closing) return Promise.reject(new Error(`journal ${this.path} is closed`));
    const appended = new Promise<void>((resolve, reject) => {
      this.pending.push({ id, value, resolve, reject });
      this.startDrain();
    });
    this.lastLine = appended.then(
      () => undefined,
      () => undefined,
    );
    return appended;
  }

  private startDrain(): void {
    if (this.writing) return;
    this.writing = this.drain().finally(() => {
      this.writing = null;
      // A line may have arrived after the drain's last look and before this callback.
      if (this.pending.length > 0) this.startDrain();
    });
  }

  /** Writes pending lines in batches until none are left; each batch's callers learn its outcome. */
  private async drain(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending;
      this.pending = [];
      const bytes = Buffer.from(batch.map((line) => `${line.value ?? JSON.stringify({ id: line.id, removed: true })}\n`).join(""), "utf8");
      try {
        if (this.stopped) throw this.stopped;
        if (this.descriptor === null) throw new Error(`journal ${this.path} is not open (load() first, not after close())`);
        if (this.damaged) await this.rewrite();
        await writeAll(this.descriptor, bytes, this.size);
      } catch (error) {
        await this.cutBackToAcknowledged();
        batch.forEach((line) => line.reject(error));
        continue;
      }
      this.size += bytes.length;
      for (const line of batch) {
        if (line.value === null) this.live.delete(line.id);
        else this.live.set(line.id, line.value);
      }
      this.linesSinceRewrite += batch.length;
      batch.forEach((line) => line.resolve());
      if (this.linesSinceRewrite >= Math.max(this.compactAfterLines, 2 * this.live.size)) {
        await this.rewrite().catch((error: unknown) => {
          // The old file, still named and open, keeps every acknowledged line; try again after as many lines.
          this.linesSinceRewrite = 0;
          this.logger?.warn({ file: this.path, error: String(error) }, "journal rewrite failed; appending to the old file");
        });
      }
    }
  }

  /** After a failed write: drops whatever part of it reached the file, or marks the file for a rewrite. */
  private async cutBackToAcknowledged(): Promise<void> {
    if (this.descriptor === null) return;
    try {
      await truncateDescriptor(this.descriptor, this.size);
    } catch {
      this.damaged = true;
    }
  }

  /**
   * Replaces the file by its acknowledged live lines: written through a descriptor on a temp file,
   * which is renamed over the journal and then kept for appends (it follows the file). On failure the
   * old file and descriptor stay as they were.
   */
  private async rewrite(): Promise<void> {
    const temporaryPath = `${this.path}.rewrite`;
    const bytes = Buffer.from([...this.live.values()].map((line) => `${line}\n`).join(""), "utf8");
    const descriptor = await openForWriting(temporaryPath);
    try {
      await writeAll(descriptor, bytes, 0);
      await rename(temporaryPath, this.path);
    } catch (error) {
      await closeDescriptor(descriptor).catch(() => undefined);
      await rm(temporaryPath, { force: true });
      throw error;
    }
    const previous = this.descriptor;
    this.descriptor = descriptor;
    this.size = bytes.length;
    this.damaged = false;
    this.linesSinceRewrite = 0;
    if (previous !== null) await closeDescriptor(previous).catch(() => undefined);
  }
}

function parseLine(line: string): { id: string; value?: unknown; removed?: boolean } | null {
  try {
    const entry = JSON.parse(line) as { id?: unknown; value?: unknown; removed?: unknown };
    if (typeof entry !== "object" || entry === null || typeof entry.id !== "string") return null;
    if (entry.removed === true) return { id: entry.id, removed: true };
    return "value" in entry ? { id: entry.id, value: entry.value } : null;
  } catch {
    return null;
  }
}

// The callback forms: they skip the FileHandle objects of fs/promises, which cost measurably more per call.
function openForWriting(path: string): Promise<number> {
  return new Promise((resolve, reject) => open(path, "w", (error, descriptor) => (error ? reject(error) : resolve(descriptor))));
}

function closeDescriptor(descriptor: number): Promise<void> {
  return new Promise((resolve, reject) => close(descriptor, (error) => (error ? reject(error) : resolve())));
}

function truncateDescriptor(descriptor: number, length: number): Promise<void> {
  return new Promise((resolve, reject) => ftruncate(descriptor, length, (error) => (error ? reject(error) : resolve())));
}

/** Writes all of `buffer` at `position` (a short write continues where it stopped). */
async function writeAll(descriptor: number, buffer: Buffer, position: number): Promise<void> {
  let offset = 0;
  while (offset < buffer.length) {
    offset += await new Promise<number>((resolve, reject) =>
      write(descriptor, buffer, offset, buffer.length - offset, position + offset, (error, written) => (error ? reject(error) : resolve(written))),
    );
  }
}
