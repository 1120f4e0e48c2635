import { join } from "node:path";
import { fileNameForKey, readSmallFileOrNull, removeFile, writeFileAtomic } from "./atomic-file.js";

/** Blobs up to this size are read with blocking calls (a bulk upload's texts): cheaper than the promise API's handles. */
const SMALL_BLOB_BYTES = 64 * 1024;
import type { BlobStore } from "../../../ports/document-repository.js";

/**
 * `BlobStore` on the local file system (embedded mode): one file per key under `directory`,
 * named by the key's sha256 (so keys may hold any character) and spread over 256 sub-directories.
 * Writes are atomic: a reader sees the old bytes or the new ones, even after `kill -9`; with
 * `durable`, they are also on disk (file and directory synced) before `put` resolves.
 */
export class FileBlobStore implements BlobStore {
  private readonly directory: string;
  private readonly durable: boolean;

  constructor(options: { directory: string; durable?: boolean }) {
    this.directory = options.directory;
    this.durable = options.durable ?? false;
  }

  async put(key: string, bytes: Uint8Array): Promise<void> {
    // Asynchronous even when small: creating a file can block for long on a busy disk (its journal).
    await writeFileAtomic(this.pathFor(key), bytes, { sync: this.durable });
  }

  /** The stored bytes, or null when the key is unknown. */
  async get(key: string): Promise<Uint8Array | null> {
    const buffer = await readSmallFileOrNull(this.pathFor(key), SMALL_BLOB_BYTES);
    return buffer === null ? null : new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  }

  /** Idempotent: deleting a missing key is not an error. */
  async delete(key: string): Promise<void> {
    await removeFile(this.pathFor(key));
  }

  private pathFor(key: string): string {
    const name = fileNameForKey(key);
    // Sub-directories keep each directory small when there are many blobs.
    return join(this.directory, name.slice(0, 2), `${name}.bin`);
  }
}
