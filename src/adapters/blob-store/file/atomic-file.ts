import { createHash, randomBytes } from "node:crypto";
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { mkdir, open, readFile, readdir, rename, rm, stat } from "node:fs/promises";
import { dirname, join } from "node:path";

const TEMPORARY_SUFFIX = ".tmp";
const READ_BATCH_SIZE = 64;
// A random per-process prefix plus a counter names temp files uniquely (even when a crashed
// process's pid is reused) without asking the CPRNG on every write.
const TEMPORARY_PREFIX = `${process.pid}-${randomBytes(6).toString("hex")}`;
let temporaryCounter = 0;

/**
 * File name for an arbitrary key (tenant, document id, job id, blob key): sha256 hex, so it has a
 * fixed length, no separators or dots, and cannot collide on case-insensitive file systems.
 * Not reversible: callers store the real key inside the file.
 */
export function fileNameForKey(key: string): string {
  return createHash("sha256").update(key, "utf8").digest("hex");
}

/**
 * Writes `contents` so that a reader (or a process restarted after `kill -9`) sees either the old
 * or the new file, never a partial one: a uniquely named temp file in the same directory, then
 * rename, which is atomic on POSIX. Creates the parent directory when missing. With `sync`, the file
 * and its directory entry are flushed to disk before it resolves (survives power loss too).
 */
export async function writeFileAtomic(path: string, contents: string | Uint8Array, options: { sync?: boolean } = {}): Promise<void> {
  temporaryCounter = (temporaryCounter + 1) % Number.MAX_SAFE_INTEGER;
  const temporaryPath = `${path}.${TEMPORARY_PREFIX}-${temporaryCounter}${TEMPORARY_SUFFIX}`;
  try {
    try {
      await writeTemporary(temporaryPath, contents, options.sync === true);
    } catch (error) {
      if (!isMissingFileError(error)) throw error;
      await mkdir(dirname(path), { recursive: true });
      await writeTemporary(temporaryPath, contents, options.sync === true);
    }
    await rename(temporaryPath, path);
    if (options.sync) await syncDirectory(dirname(path));
  } catch (error) {
    await rm(temporaryPath, { force: true });
    throw error;
  }
}

/**
 * The file's bytes, or null when it does not exist, read with blocking calls when it holds at most
 * `maxSyncBytes` (one open, fstat, read, close); a larger file is read asynchronously.
 */
export async function readSmallFileOrNull(path: string, maxSyncBytes: number): Promise<Buffer | null> {
  let descriptor: number;
  try {
    descriptor = openSync(path, "r");
  } catch (error) {
    if (isMissingFileError(error)) return null;
    throw error;
  }
  let large = false;
  try {
    const size = fstatSync(descriptor).size;
    if (size <= maxSyncBytes) {
      const buffer = Buffer.allocUnsafe(size);
      let offset = 0;
      while (offset < size) {
        const read = readSync(descriptor, buffer, offset, size - offset, offset);
        if (read === 0) break;
        offset += read;
      }
      return offset === size ? buffer : buffer.subarray(0, offset);
    }
    large = true;
  } finally {
    closeSync(descriptor);
  }
  return large ? readFileOrNull(path) : null;
}

async function writeTemporary(path: string, contents: string | Uint8Array, sync: boolean): Promise<void> {
  const handle = await open(path, "wx");
  try {
    await handle.writeFile(contents);
    if (sync) await handle.sync();
  } finally {
    await handle.close();
  }
}

async function syncDirectory(directory: string): Promise<void> {
  const handle = await open(directory, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** `writeFileAtomic` of `JSON.stringify(value)`; `value` must be JSON-serialisable. */
export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  await writeFileAtomic(path, JSON.stringify(value));
}

/** The file's bytes, or null when it does not exist. */
export async function readFileOrNull(path: string): Promise<Buffer | null> {
  try {
    return await readFile(path);
  } catch (error) {
    if (isMissingFileError(error)) return null;
    throw error;
  }
}

/** The parsed JSON content, or null when the file does not exist; throws on invalid JSON. */
export async function readJsonFile(path: string): Promise<unknown> {
  const bytes = await readFileOrNull(path);
  return bytes === null ? null : (JSON.parse(bytes.toString("utf8")) as unknown);
}

/**
 * Every `*.json` file of `directory` (none when the directory is missing), read in parallel
 * batches. `value` is undefined for a file that is not valid JSON; files deleted meanwhile are skipped.
 */
export async function readJsonDirectory(directory: string): Promise<Array<{ fileName: string; value: unknown }>> {
  const fileNames = (await listFileNames(directory)).filter((name) => name.endsWith(".json"));
  const results: Array<{ fileName: string; value: unknown }> = [];
  for (let start = 0; start < fileNames.length; start += READ_BATCH_SIZE) {
    const batch = fileNames.slice(start, start + READ_BATCH_SIZE);
    const values = await Promise.all(batch.map((fileName) => readJsonOrUndefined(join(directory, fileName))));
    batch.forEach((fileName, index) => {
      const value = values[index];
      if (value !== null) results.push({ fileName, value });
    });
  }
  return results;
}

/** Deletes `path`; true when it existed. */
export async function removeFile(path: string): Promise<boolean> {
  try {
    await rm(path);
    return true;
  } catch (error) {
    if (isMissingFileError(error)) return false;
    throw error;
  }
}

/**
 * Removes temp files left by writes interrupted by a crash. Only files older than `olderThanMs`,
 * so a write in flight (another instance on the same directory) is never disturbed.
 */
export async function removeStaleTemporaryFiles(directory: string, olderThanMs: number): Promise<void> {
  const cutoff = Date.now() - olderThanMs;
  for (const name of await listFileNames(directory)) {
    if (!name.endsWith(TEMPORARY_SUFFIX)) continue;
    const path = join(directory, name);
    const details = await stat(path).catch(() => null);
    if (details !== null && details.mtimeMs < cutoff) await rm(path, { force: true });
  }
}

async function listFileNames(directory: string): Promise<string[]> {
  try {
    return await readdir(directory);
  } catch (error) {
    if (isMissingFileError(error)) return [];
    throw error;
  }
}

async function readJsonOrUndefined(path: string): Promise<unknown> {
  const bytes = await readFileOrNull(path);
  if (bytes === null) return null;
  try {
    return JSON.parse(bytes.toString("utf8")) as unknown;
  } catch {
    return undefined;
  }
}

function isMissingFileError(error: unknown): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === "ENOENT";
}

/**
 * Runs operations one at a time per key, in call order, within this process (e.g. the writes of
 * one record, so an older snapshot never lands after a newer one). Different keys run concurrently.
 */
export class KeyedSerializer {
  private readonly tails = new Map<string, Promise<void>>();

  run<T>(key: string, operation: () => Promise<T>): Promise<T> {
    const result = (this.tails.get(key) ?? Promise.resolve()).then(operation);
    const tail: Promise<void> = result
      .then(
        () => undefined,
        () => undefined,
      )
      .finally(() => {
        if (this.tails.get(key) === tail) this.tails.delete(key);
      });
    this.tails.set(key, tail);
    return result;
  }
}
