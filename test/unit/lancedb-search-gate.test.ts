import { describe, expect, it } from "vitest";
import { LanceDbSearchGate } from "../../src/adapters/vector-store/lancedb/lancedb-search-gate.js";

function deferred() {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((resolvePromise, rejectPromise) => {
    resolve = resolvePromise;
    reject = rejectPromise;
  });
  return { promise, resolve, reject };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe("LanceDbSearchGate", () => {
  it("runs at most `limit` tasks at once and starts the rest in arrival order", async () => {
    const gate = new LanceDbSearchGate(2);
    const tasks = Array.from({ length: 5 }, () => deferred());
    const started: number[] = [];
    const runs = tasks.map((task, index) =>
      gate.run(async () => {
        started.push(index);
        await task.promise;
        return index;
      }),
    );
    await settle();
    expect(started).toEqual([0, 1]);
    tasks[1]!.resolve();
    await settle();
    expect(started).toEqual([0, 1, 2]);
    tasks[0]!.resolve();
    tasks[2]!.resolve();
    await settle();
    expect(started).toEqual([0, 1, 2, 3, 4]);
    tasks[3]!.resolve();
    tasks[4]!.resolve();
    expect(await Promise.all(runs)).toEqual([0, 1, 2, 3, 4]);
  });

  it("frees the slot of a task that fails", async () => {
    const gate = new LanceDbSearchGate(1);
    await expect(gate.run(() => Promise.reject(new Error("engine down")))).rejects.toThrow("engine down");
    expect(await gate.run(async () => "next")).toBe("next");
  });

  it("refuses a limit below 1", () => {
    expect(() => new LanceDbSearchGate(0)).toThrow(RangeError);
  });
});
