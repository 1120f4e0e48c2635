import { readFileSync } from "node:fs";
import { readFile, rm, writeFile } from "node:fs/promises";

/** Paths locked by this process (a second instance in the same process is refused too). */
const lockedInThisProcess = new Set<string>();

/** This process's start time in clock ticks since boot (Linux), so a reused pid is not taken for the owner. */
function processStartTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19] ?? null;
  } catch {
    return null;
  }
}

function isAlive(owner: { pid: number; startTime: string | null }): boolean {
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    // EPERM: the pid exists but belongs to someone else.
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  const startTime = processStartTime(owner.pid);
  return owner.startTime === null || startTime === null || startTime === owner.startTime;
}

/**
 * An exclusive lock on a file-backed resource, held by one live process: a lock file created with
 * O_EXCL holding the owner's pid and start time. A lock left by a process that is gone (kill -9) is
 * taken over; one held by a live process, or by this process already, is refused with an error.
 */
export class DirectoryLock {
  private held = false;

  constructor(
    private readonly path: string,
    private readonly what: string,
  ) {}

  async acquire(): Promise<void> {
    if (lockedInThisProcess.has(this.path)) throw new Error(`${this.what} is already open in this process (${this.path})`);
    const owner = JSON.stringify({ pid: process.pid, startTime: processStartTime(process.pid) });
    for (let attempt = 0; ; attempt += 1) {
      try {
        await writeFile(this.path, owner, { flag: "wx" });
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST" || attempt > 0) throw error;
      }
      const existing = await readFile(this.path, "utf8").catch(() => "");
      const current = parseOwner(existing);
      if (current && current.pid !== process.pid && isAlive(current)) {
        throw new Error(`${this.what} is in use by process ${current.pid} (${this.path}); run one process per data directory`);
      }
      // Left by a process that is gone (or unreadable): take it over.
      await rm(this.path, { force: true });
    }
    lockedInThisProcess.add(this.path);
    this.held = true;
  }

  async release(): Promise<void> {
    if (!this.held) return;
    this.held = false;
    lockedInThisProcess.delete(this.path);
    await rm(this.path, { force: true });
  }
}

function parseOwner(text: string): { pid: number; startTime: string | null } | null {
  try {
    const value = JSON.parse(text) as { pid?: unknown; startTime?: unknown };
    if (typeof value.pid !== "number" || !Number.isSafeInteger(value.pid) || value.pid <= 0) return null;
    return { pid: value.pid, startTime: typeof value.startTime === "string" ? value.startTime : null };
  } catch {
    return null;
  }
}
