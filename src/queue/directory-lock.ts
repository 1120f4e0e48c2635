import { randomUUID } from "node:crypto";
import type { Stats } from "node:fs";
import { readdir, rm, rmdir, stat, utimes, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import lockfile from "proper-lockfile";

export interface ExclusiveLockOptions {
  /** The lock's path (a directory, created atomically with mkdir). */
  path: string;
  /** What is locked, for error messages. */
  what: string;
  /** A lock not refreshed for this long is stale and may be taken over (after `kill -9`, say). Default 5 000 ms. */
  staleMs?: number;
  /** How long `acquire` keeps trying while another holder's lock is fresh. Default staleMs + 2 000 ms. */
  waitMs?: number;
  /** Told when the lock was lost while held (another process took it over). */
  onCompromised: (error: Error) => void;
}

/**
 * One holder at a time for a file-backed resource, across processes, containers sharing a volume and
 * within one process, with proper-lockfile: the lock is a directory created with mkdir (atomic) whose
 * mtime the holder refreshes; a lock nobody refreshed for `staleMs` is taken over, so a restart after
 * `kill -9` waits at most that long. No pid is trusted (pids repeat across containers and restarts).
 *
 * proper-lockfile's stale takeover is check-then-remove, so two processes starting at the same moment
 * against a stale lock could both end up "holding" it (seen: 2 holders in 2 of 5 rounds of 6
 * simultaneous starts). A holder therefore also puts a file of its own inside the lock directory and
 * proceeds only if it is the only one there: a racer's removal of a lock with a file inside fails
 * (rmdir: not empty), and of two that wrote into the same directory the second sees both and gives
 * up, so at most one proceeds (at worst none, and the next start succeeds).
 */
export class ExclusiveLock {
  private releaseLock: (() => Promise<void>) | null = null;
  private ownerFile: string | null = null;

  constructor(private readonly options: ExclusiveLockOptions) {}

  async acquire(): Promise<void> {
    const staleMs = this.options.staleMs ?? 5_000;
    const waitMs = this.options.waitMs ?? staleMs + 2_000;
    const intervalMs = Math.min(500, Math.max(50, Math.floor(waitMs / 10)));
    const deadline = Date.now() + waitMs;
    for (;;) {
      await this.clearStaleOwners(staleMs);
      try {
        // The locked "file" is the directory holding the lock; lockfilePath names the lock itself.
        this.releaseLock = await lockfile.lock(dirname(this.options.path), {
          lockfilePath: this.options.path,
          stale: staleMs,
          update: Math.max(1_000, Math.floor(staleMs / 4)),
          onCompromised: (error) => {
            this.releaseLock = null;
            this.ownerFile = null;
            this.options.onCompromised(error);
          },
        });
        break;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code !== "ELOCKED" && code !== "ENOTEMPTY") throw error;
        if (Date.now() >= deadline) throw this.inUse(error);
        await new Promise((resolve) => setTimeout(resolve, intervalMs));
      }
    }
    const ownerName = `owner-${randomUUID()}`;
    const ownerFile = join(this.options.path, ownerName);
    try {
      // proper-lockfile takes a changed mtime of its directory for a lost lock: the owner file must not change it.
      const acquired = await stat(this.options.path);
      await writeFile(ownerFile, `${process.pid}\n`, { flag: "wx" });
      this.ownerFile = ownerFile;
      await utimes(this.options.path, acquired.atime, acquired.mtime);
      const owners = await readdir(this.options.path);
      if (owners.length !== 1 || owners[0] !== ownerName) throw new Error(`another owner in ${this.options.path}: ${owners.join(", ")}`);
    } catch (error) {
      await this.release().catch(() => undefined);
      throw this.inUse(error);
    }
  }

  async release(): Promise<void> {
    const ownerFile = this.ownerFile;
    const release = this.releaseLock;
    this.ownerFile = null;
    this.releaseLock = null;
    if (ownerFile) await rm(ownerFile, { force: true });
    await release?.();
  }

  /**
   * A lock nobody refreshed for staleMs (its holder is gone) still holds that holder's file, which keeps
   * it from being removed: the files are removed by the names read while the directory was still that
   * stale one, then the directory if empty. Owner file names are unique, so a removal can only miss a
   * lock taken over meanwhile, never empty it; removing that lock's directory before its owner wrote
   * its file makes the owner's write fail, and it gives up.
   */
  private async clearStaleOwners(staleMs: number): Promise<void> {
    const isStale = (found: Stats | null) => found !== null && found.mtimeMs < Date.now() - staleMs;
    const before = await stat(this.options.path).catch(() => null);
    if (!isStale(before)) return;
    const names = await readdir(this.options.path).catch(() => []);
    const after = await stat(this.options.path).catch(() => null);
    if (!isStale(after) || after!.ino !== before!.ino) return;
    for (const name of names) await rm(join(this.options.path, name), { force: true }).catch(() => undefined);
    await rmdir(this.options.path).catch(() => undefined);
  }

  private inUse(cause: unknown): Error {
    return new Error(`${this.options.what} is in use by another process or instance (${this.options.path}); run one process per data directory`, { cause });
  }
}
