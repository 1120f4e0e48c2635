import { dirname } from "node:path";
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
 */
export class ExclusiveLock {
  private releaseLock: (() => Promise<void>) | null = null;

  constructor(private readonly options: ExclusiveLockOptions) {}

  async acquire(): Promise<void> {
    const staleMs = this.options.staleMs ?? 5_000;
    const waitMs = this.options.waitMs ?? staleMs + 2_000;
    const intervalMs = Math.min(500, Math.max(50, Math.floor(waitMs / 10)));
    try {
      // The locked "file" is the directory holding the lock; lockfilePath names the lock itself.
      this.releaseLock = await lockfile.lock(dirname(this.options.path), {
        lockfilePath: this.options.path,
        stale: staleMs,
        update: Math.max(1_000, Math.floor(staleMs / 4)),
        retries: { retries: Math.ceil(waitMs / intervalMs), factor: 1, minTimeout: intervalMs, maxTimeout: intervalMs },
        onCompromised: (error) => {
          this.releaseLock = null;
          this.options.onCompromised(error);
        },
      });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ELOCKED") {
        throw new Error(`${this.options.what} is in use by another process or instance (${this.options.path}); run one process per data directory`, { cause: error });
      }
      throw error;
    }
  }

  async release(): Promise<void> {
    const release = this.releaseLock;
    this.releaseLock = null;
    await release?.();
  }
}
