import { randomUUID } from "node:crypto";
import fs, { type Stats } from "node:fs";
import { readdir, rm, rmdir, stat } from "node:fs/promises";
import { join } from "node:path";
import lockfile from "proper-lockfile";

export interface ExclusiveLockOptions {
  /** The lock's path (a directory, created atomically with mkdir). */
  path: string;
  /** What is locked, for error messages. */
  what: string;
  /** A lock not refreshed for this long is stale and may be taken over (after `kill -9`, say). Default 5 000 ms, at least 2 000. */
  staleMs?: number;
  /** How long `acquire` keeps trying while another holder's lock is fresh. Default staleMs + 2 000 ms. */
  waitMs?: number;
  /** Told when the lock was lost while held (another process took it over). */
  onCompromised: (error: Error) => void;
}

/** Errors of one attempt that another attempt may not meet (a racer held or removed the lock meanwhile). */
const RETRYABLE = new Set(["ELOCKED", "ENOTEMPTY", "ENOENT", "EOWNER"]);

/**
 * One holder at a time for a file-backed resource, across processes, containers sharing a volume and
 * within one process, with proper-lockfile: the lock is a directory created with mkdir (atomic) whose
 * mtime the holder refreshes; a lock nobody refreshed for `staleMs` is taken over, so a restart after
 * `kill -9` waits at most about that long. No pid is trusted (pids repeat across containers).
 *
 * proper-lockfile's stale takeover is check-then-remove, so processes starting at the same moment
 * against a stale lock could both end up holding it (seen: 2 holders in 2 of 5 rounds of 6
 * simultaneous starts). So every lock directory comes into place with a uniquely named owner file
 * inside (see withOwnerFileOnMkdir), and the holder proceeds only if its file is the only one there:
 * a racer's rmdir of a lock with a file inside fails.
 * `npx tsx bench/journal-lock-race.ts` counts holders of simultaneous starts.
 */
export class ExclusiveLock {
  private releaseLock: (() => Promise<void>) | null = null;
  private ownerFile: string | null = null;
  /** The acquisition onCompromised may still speak for; cleared when release() starts. */
  private holding: object | null = null;

  constructor(private readonly options: ExclusiveLockOptions) {}

  async acquire(): Promise<void> {
    const staleMs = Math.max(2_000, this.options.staleMs ?? 5_000);
    const waitMs = this.options.waitMs ?? staleMs + 2_000;
    const intervalMs = Math.min(500, Math.max(50, Math.floor(waitMs / 10)));
    const deadline = Date.now() + waitMs;
    for (;;) {
      try {
        await this.attempt(staleMs);
        return;
      } catch (error) {
        await this.release().catch(() => undefined);
        if (!RETRYABLE.has((error as NodeJS.ErrnoException).code ?? "")) throw error;
        if (Date.now() >= deadline) {
          throw new Error(`${this.options.what} is in use by another process or instance (${this.options.path}); run one process per data directory`, {
            cause: error,
          });
        }
        await new Promise((resolve) => setTimeout(resolve, intervalMs));
      }
    }
  }

  async release(): Promise<void> {
    const release = this.releaseLock;
    const ownerFile = this.ownerFile;
    this.holding = null;
    this.releaseLock = null;
    this.ownerFile = null;
    // proper-lockfile's release first: it stops the refresh timer at once; its rmdir fails while the
    // owner file is inside, so the file goes next and then the directory.
    if (release) await release().catch(() => undefined);
    if (ownerFile) await rm(ownerFile, { force: true });
    if (release) await rmdir(this.options.path).catch(() => undefined);
  }

  private async attempt(staleMs: number): Promise<void> {
    await this.clearStaleOwners(staleMs);
    const ownerName = `owner-${randomUUID()}`;
    const holding = {};
    this.holding = holding;
    this.releaseLock = await lockfile.lock(this.options.path, {
      // The lock directory is its own key: two locks in one directory must not share proper-lockfile's record.
      lockfilePath: this.options.path,
      realpath: false,
      stale: staleMs,
      update: Math.max(1_000, Math.floor(staleMs / 4)),
      fs: withOwnerFileOnMkdir(ownerName),
      onCompromised: (error) => {
        if (this.holding !== holding) return;
        this.holding = null;
        this.releaseLock = null;
        this.options.onCompromised(error);
      },
    });
    this.ownerFile = join(this.options.path, ownerName);
    const owners = await readdir(this.options.path);
    if (owners.length !== 1 || owners[0] !== ownerName) {
      throw Object.assign(new Error(`another owner in ${this.options.path}: ${owners.join(", ")}`), { code: "EOWNER" });
    }
    if (this.releaseLock === null) throw Object.assign(new Error(`lost ${this.options.path} while taking it`), { code: "ELOCKED" });
  }

  /**
   * A lock nobody refreshed for staleMs (its holder is gone) still holds that holder's file, which keeps
   * it from being removed: the files are removed by the names read while the directory was still that
   * stale one, then the directory if empty. Owner file names are unique, so a removal can only miss a
   * lock taken over meanwhile, never empty it.
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
}

/**
 * node:fs for proper-lockfile, except that "creating the lock directory" puts it in place with its
 * owner file already inside: the directory is built under a staging name and renamed onto the lock
 * path (atomic; refused while a lock with a file inside is there). So a lock is never seen without its
 * owner, and no owner file can land in another process's lock (a write into a freshly created lock
 * directory could, after that directory was removed and another one made at the same path).
 */
function withOwnerFileOnMkdir(ownerName: string): typeof fs {
  return {
    ...fs,
    mkdir: ((path: string, callback: (error: NodeJS.ErrnoException | null) => void) => {
      const staging = `${path}.staging-${ownerName}`;
      const discard = (error: NodeJS.ErrnoException) => fs.rm(staging, { recursive: true, force: true }, () => callback(error));
      // Whatever is at the lock path (even an empty directory, which rename would replace) is a lock to judge.
      if (fs.existsSync(path)) return callback(Object.assign(new Error(`${path} exists`), { code: "EEXIST" }));
      fs.mkdir(staging, (error) => {
        if (error) return callback(error);
        fs.writeFile(join(staging, ownerName), `${process.pid}\n`, { flag: "wx" }, (writeError) => {
          if (writeError) return discard(writeError);
          fs.rename(staging, path, (renameError) => {
            if (!renameError) return callback(null);
            // A lock is there: report it the way mkdir would, so proper-lockfile checks whether it is stale.
            const taken = renameError.code === "ENOTEMPTY" || renameError.code === "EEXIST";
            discard(taken ? Object.assign(new Error(`${path} exists`), { code: "EEXIST" }) : renameError);
          });
        });
      });
    }) as typeof fs.mkdir,
  };
}
