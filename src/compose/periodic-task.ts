import type { Logger } from "../ports/logger.js";

export interface PeriodicTask {
  /** Runs the task soon without waiting for the interval; wakes during a run make one more run right after it. */
  wake(): void;
  /** Stops scheduling and waits for a run in progress. */
  stop(): Promise<void>;
}

/**
 * Runs `run` now, then `intervalMs` after each run ends, one run at a time, until `stop`. A failing
 * run is logged (a warning when it starts failing, info when it recovers) and tried again at the next
 * tick. Timers are unref'd: a periodic task never keeps the process alive by itself.
 */
export function startPeriodicTask(options: { name: string; intervalMs: number; run: () => Promise<unknown>; logger: Logger }): PeriodicTask {
  const { name, intervalMs, run, logger } = options;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let again = false;
  let stopped = false;
  let failing = false;

  const schedule = (delayMs: number) => {
    if (stopped) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(tick, delayMs);
    timer.unref();
  };

  const tick = () => {
    timer = null;
    if (running) {
      again = true;
      return;
    }
    running = (async () => {
      try {
        await run();
        if (failing) logger.info({ task: name }, "periodic task recovered");
        failing = false;
      } catch (error) {
        // One warning per outage, not one per tick.
        if (!failing) logger.warn({ task: name, error: error instanceof Error ? error.message : String(error) }, "periodic task failed; retrying");
        failing = true;
      }
    })().finally(() => {
      running = null;
      const wakeAgain = again;
      again = false;
      schedule(wakeAgain ? 0 : intervalMs);
    });
  };

  schedule(0);
  return {
    wake() {
      if (stopped) return;
      if (running) again = true;
      else schedule(0);
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
      await running;
    },
  };
}
