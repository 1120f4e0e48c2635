import { close, open, write } from "node:fs";
import { mkdir, readFile, rename, rm } from "node:fs/promises";
import { dirname } from "node:path";
import { DirectoryLock } from "./directory-lock.js";

/** Structured logger (pino-compatible). */
export interface JournalLogger {
  warn(fields: Record<string, unknown>, message: string): void;
}

export interface AppendOnlyJournalOptions {
  /** The journal file; its directory is created when missing. One journal instance per file. */
  path: string;
  /** Rewritten to its live entries once this many lines (and twice the live count) were appended since the last rewrite. Default 5 000. */
  compactAfterLines?: number;
  logger?: JournalLogger;
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
 * once its line is in the file; lines written while another write is in flight are group-committed
 * in one `write`. Compared with one file per key written by temp file + rename, a state change costs
 * one appended line instead of a create, a write, a close and a rename.
 *
 * `kill -9` at any instant loses nothing that was acknowledged (appended bytes are in the page cache,
 * which survives the process) and may leave a torn last line, which `load` skips and the rewrite at
 * load removes. A write that fails part-way marks the file damaged: the next batch first rewrites it
 * from the acknowledged lines, and is refused while that fails. No fsync: like the rest of DATA_DIR,
 * a power loss may drop the last writes. One instance per file, enforced by a lock file beside it.
 */
export class AppendOnlyJournal {
  private readonly path: string;
  private readonly compactAfterLines: number;
  private readonly logger: JournalLogger | undefined;
  /** Last line written per live id: what a rewrite keeps. */
  private readonly live = new Map<string, string>();
  private pending: PendingLine[] = [];
  private descriptor: number | null = null;
  private writing: Promise<void> | null = null;
  /** Settles after the most recently handed-over line (batches settle in order). */
  private lastLine: Promise<void> = Promise.resolve();
  private linesSinceRewrite = 0;
  /** A write failed part-way: the file may end in a torn line and must be rewritten before appending. */
  private damaged = false;
  private closing: Promise<void> | null = null;
  private readonly lock: DirectoryLock;

  constructor(options: AppendOnlyJournalOptions) {
    this.path = options.path;
    this.compactAfterLines = options.compactAfterLines ?? 5_000;
    this.logger = options.logger;
    this.lock = new DirectoryLock(`${this.path}.lock`, "job journal");
  }

  /** Replays the file (a missing file is empty), rewrites it to its live entries and opens it for appends. Call once, first. */
  async load(): Promise<Map<string, unknown>> {
    await mkdir(dirname(this.path), { recursive: true });
    await this.lock.acquire();
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
    await this.rewrite();
    return values;
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

  /** Refuses new lines at once, waits for those handed over, then closes the file and releases the lock. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.flush();
      // A rewrite may still follow the last batch.
      while (this.writing) await this.writing.catch(() => undefined);
      const descriptor = this.descriptor;
      this.descriptor = null;
      if (descriptor !== null) await closeDescriptor(descriptor);
      await this.lock.release();
    })();
    return this.closing;
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
      const text = batch.map((line) => `${line.value ?? JSON.stringify({ id: line.id, removed: true })}\n`).join("");
      try {
        if (this.descriptor === null) throw new Error(`journal ${this.path} is not open (load() first, not after close())`);
        if (this.damaged) await this.rewrite();
        await writeAll(this.descriptor, Buffer.from(text, "utf8"));
      } catch (error) {
        // Part of the batch may be in the file as a torn line, which would swallow the next line appended.
        this.damaged = true;
        batch.forEach((line) => line.reject(error));
        continue;
      }
      for (const line of batch) {
        if (line.value === null) this.live.delete(line.id);
        else this.live.set(line.id, line.value);
      }
      this.linesSinceRewrite += batch.length;
      batch.forEach((line) => line.resolve());
      if (this.linesSinceRewrite >= Math.max(this.compactAfterLines, 2 * this.live.size)) {
        await this.rewrite().catch((error: unknown) => {
          // The old file, still named and open, keeps every acknowledged line; the next batch tries again later.
          this.linesSinceRewrite = 0;
          this.logger?.warn({ file: this.path, error: String(error) }, "journal rewrite failed; appending to the old file");
        });
      }
    }
  }

  /**
   * Replaces the file by its acknowledged live lines: written through a descriptor on a temp file,
   * which is renamed over the journal and then kept for appends (it follows the file). On failure the
   * old file and descriptor stay as they were.
   */
  private async rewrite(): Promise<void> {
    const temporaryPath = `${this.path}.rewrite`;
    const text = [...this.live.values()].map((line) => `${line}\n`).join("");
    const descriptor = await openForWriting(temporaryPath);
    try {
      await writeAll(descriptor, Buffer.from(text, "utf8"));
      await rename(temporaryPath, this.path);
    } catch (error) {
      await closeDescriptor(descriptor).catch(() => undefined);
      await rm(temporaryPath, { force: true });
      throw error;
    }
    const previous = this.descriptor;
    this.descriptor = descriptor;
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
/** Truncated or created; writes go on at the end of what this descriptor wrote (the only writer). */
function openForWriting(path: string): Promise<number> {
  return new Promise((resolve, reject) => open(path, "w", (error, descriptor) => (error ? reject(error) : resolve(descriptor))));
}

function closeDescriptor(descriptor: number): Promise<void> {
  return new Promise((resolve, reject) => close(descriptor, (error) => (error ? reject(error) : resolve())));
}

async function writeAll(descriptor: number, buffer: Buffer): Promise<void> {
  let offset = 0;
  while (offset < buffer.length) {
    offset += await new Promise<number>((resolve, reject) =>
      write(descriptor, buffer, offset, buffer.length - offset, null, (error, written) => (error ? reject(error) : resolve(written))),
    );
  }
}
