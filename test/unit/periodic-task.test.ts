import { afterEach, describe, expect, it } from "vitest";
import { startPeriodicTask, type PeriodicTask } from "../../src/compose/periodic-task.js";
import { recordingLogger } from "../helpers/recording-logger.js";
import { waitFor } from "../helpers/wait-for.js";

const delay = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

describe("startPeriodicTask", () => {
  const tasks: PeriodicTask[] = [];
  afterEach(async () => {
    await Promise.all(tasks.splice(0).map((task) => task.stop()));
  });

  it("runs at start and again after each interval", async () => {
    let runs = 0;
    tasks.push(startPeriodicTask({ name: "t", intervalMs: 30, run: async () => void (runs += 1), logger: recordingLogger() }));
    await waitFor(async () => runs >= 3, "three runs", 2_000, 5);
  });

  it("runs soon after wake() instead of waiting for the interval, one run at a time, coalescing wakes during a run", async () => {
    let runs = 0;
    let running = 0;
    let overlapped = false;
    let release: () => void = () => undefined;
    const task = startPeriodicTask({
      name: "t",
      intervalMs: 60_000,
      run: async () => {
        running += 1;
        overlapped ||= running > 1;
        runs += 1;
        await new Promise<void>((resolve) => (release = resolve));
        running -= 1;
      },
      logger: recordingLogger(),
    });
    tasks.push(task);
    await waitFor(async () => runs === 1, "the first run");
    task.wake();
    task.wake();
    task.wake();
    release();
    await waitFor(async () => runs === 2, "one more run for the wakes during the first");
    release();
    await delay(50);
    expect(runs).toBe(2);
    task.wake();
    await waitFor(async () => runs === 3, "a run after a wake while idle");
    release();
    expect(overlapped).toBe(false);
  });

  it("keeps running after failures, warning once per outage and noting the recovery", async () => {
    const logger = recordingLogger();
    let runs = 0;
    tasks.push(
      startPeriodicTask({
        name: "flaky",
        intervalMs: 10,
        run: async () => {
          runs += 1;
          if (runs <= 3) throw new Error("down");
        },
        logger,
      }),
    );
    await waitFor(async () => runs >= 5, "runs past the outage", 2_000, 5);
    expect(logger.lines.filter((line) => line.level === "warn").map((line) => line.fields)).toEqual([{ task: "flaky", error: "down" }]);
    expect(logger.lines.filter((line) => line.level === "info").map((line) => line.message)).toEqual(["periodic task recovered"]);
  });

  it("stop() waits for the run in progress and nothing runs afterwards", async () => {
    let runs = 0;
    let running = false;
    const task = startPeriodicTask({
      name: "t",
      intervalMs: 5,
      run: async () => {
        running = true;
        runs += 1;
        await delay(40);
        running = false;
      },
      logger: recordingLogger(),
    });
    await waitFor(async () => running, "a run in progress", 5_000, 1);
    await task.stop();
    expect(running).toBe(false);
    const runsAtStop = runs;
    task.wake();
    await delay(50);
    expect(runs).toBe(runsAtStop);
  });
});
