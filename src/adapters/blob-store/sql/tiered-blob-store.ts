import type { BlobEntry, BlobStore } from "../../../ports/document-repository.js";

/** Large blobs written at once by `putMany`. */
const LARGE_WRITES_AT_ONCE = 32;

export interface TieredBlobStoreOptions {
  /** Where blobs up to `inlineMaxBytes` go (the SQL state database). */
  small: BlobStore;
  /** Where larger blobs go, and where blobs written before the small tier existed are still found (files). */
  large: BlobStore;
  /** Largest blob kept in `small`; 0 sends every blob to `large`. */
  inlineMaxBytes: number;
}

/**
 * Two stores behind one `BlobStore`: small blobs in `small`, larger ones in `large`. `get` reads
 * `small` first, then `large` (so existing data directories, whose blobs are all files, keep working);
 * `delete` removes the key from both. Putting a large blob also removes the key from `small`, so the
 * old small bytes cannot shadow it; putting a small blob over an existing large one leaves that file
 * until the key is deleted (never read: `small` is read first), to spare each upload a file-system call.
 */
export class TieredBlobStore implements BlobStore {
  private readonly small: BlobStore;
  private readonly large: BlobStore;
  private readonly inlineMaxBytes: number;

  constructor(options: TieredBlobStoreOptions) {
    this.small = options.small;
    this.large = options.large;
    this.inlineMaxBytes = options.inlineMaxBytes;
  }

  async put(key: string, bytes: Uint8Array): Promise<void> {
    if (this.isSmall(bytes)) return this.small.put(key, bytes);
    await this.large.put(key, bytes);
    await this.small.delete(key);
  }

  /** The small entries in one call of the small store (one transaction on SQL), the large ones a few at a time; a key given twice keeps its last bytes. */
  async putMany(entries: ReadonlyArray<BlobEntry>): Promise<void> {
    const latest = [...new Map(entries.map((entry) => [entry.key, entry])).values()];
    const small = latest.filter((entry) => this.isSmall(entry.bytes));
    const large = latest.filter((entry) => !this.isSmall(entry.bytes));
    if (small.length > 0) {
      if (this.small.putMany) await this.small.putMany(small);
      else for (const entry of small) await this.small.put(entry.key, entry.bytes);
    }
    for (let start = 0; start < large.length; start += LARGE_WRITES_AT_ONCE) {
      await Promise.all(large.slice(start, start + LARGE_WRITES_AT_ONCE).map((entry) => this.put(entry.key, entry.bytes)));
    }
  }

  async get(key: string): Promise<Uint8Array | null> {
    return (await this.small.get(key)) ?? (await this.large.get(key));
  }

  async delete(key: string): Promise<void> {
    await this.small.delete(key);
    await this.large.delete(key);
  }

  private isSmall(bytes: Uint8Array): boolean {
    return bytes.byteLength <= this.inlineMaxBytes;
  }
}
