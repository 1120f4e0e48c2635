import { readFile, readdir } from "node:fs/promises";

/** CPU time (ms) of a process's threads by group, from /proc (Linux only; empty elsewhere). */
export type ThreadCpu = Record<string, number>;

/** Groups: the service's main thread, LanceDB's engine threads (tokio / lance), and every other thread (V8 and libuv helpers). */
function groupOf(name: string, isMain: boolean): string {
  if (isMain) return "main";
  if (name.startsWith("tokio") || name.startsWith("lance")) return "lancedb";
  return "other";
}

export async function readThreadCpu(pid: number): Promise<ThreadCpu> {
  const totals: ThreadCpu = {};
  let threads: string[];
  try {
    threads = await readdir(`/proc/${pid}/task`);
  } catch {
    return totals;
  }
  for (const tid of threads) {
    try {
      const stat = await readFile(`/proc/${pid}/task/${tid}/stat`, "utf8");
      const name = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      // utime + stime, in clock ticks (USER_HZ is 100 on Linux).
      const milliseconds = (Number(fields[11]) + Number(fields[12])) * 10;
      const group = groupOf(name, tid === String(pid));
      totals[group] = (totals[group] ?? 0) + milliseconds;
    } catch {
      // the thread ended meanwhile
    }
  }
  return totals;
}

/** "main 1.10, lancedb 0.55, other 0.28 ms" per unit between two readings. */
export function formatThreadCpu(before: ThreadCpu, after: ThreadCpu, units: number): string {
  const groups = ["main", "lancedb", "other"].filter((group) => after[group] !== undefined);
  if (groups.length === 0) return "n/a";
  return `${groups.map((group) => `${group} ${((after[group]! - (before[group] ?? 0)) / units).toFixed(2)}`).join(", ")} ms`;
}

/**
 * Waits until a process is idle: its threads together use under `idleShare` of one core over a
 * `windowMs` window (background work such as index builds and compaction has finished), or until
 * `timeoutMs`. Returns how long it waited.
 */
export async function waitUntilIdle(pid: number, options: { windowMs?: number; idleShare?: number; timeoutMs?: number } = {}): Promise<number> {
  const { windowMs = 3_000, idleShare = 0.05, timeoutMs = 15 * 60_000 } = options;
  const started = performance.now();
  const total = (cpu: ThreadCpu) => Object.values(cpu).reduce((sum, value) => sum + value, 0);
  let before = total(await readThreadCpu(pid));
  while (performance.now() - started < timeoutMs) {
    await new Promise((resolve) => setTimeout(resolve, windowMs));
    const now = total(await readThreadCpu(pid));
    if (now - before < idleShare * windowMs) break;
    before = now;
  }
  return performance.now() - started;
}
