import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { UpstreamError, UpstreamUnavailableError } from "../../../src/core/errors.js";
import { AdaptiveConcurrency, type ConcurrencySlot } from "../../../src/wrappers/adaptive-concurrency.js";

/** Takes `count` slots, all of which must be granted at once. */
async function takeNow(limiter: AdaptiveConcurrency, count: number): Promise<ConcurrencySlot[]> {
  const slots: ConcurrencySlot[] = [];
  for (let index = 0; index < count; index += 1) {
    let granted: ConcurrencySlot | null = null;
    void limiter.acquire().then((slot) => (granted = slot));
    await Promise.resolve();
    await Promise.resolve();
    if (!granted) throw new Error(`slot ${index + 1} of ${count} was not granted at once (limit ${limiter.limit}, in flight ${limiter.inFlight})`);
    slots.push(granted);
  }
  return slots;
}

describe("AdaptiveConcurrency", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("holds calls beyond the limit until a slot is released", async () => {
    const limiter = new AdaptiveConcurrency({ initial: 2, max: 8 });
    const [first] = await takeNow(limiter, 2);
    let third: ConcurrencySlot | null = null;
    void limiter.acquire().then((slot) => (third = slot));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(third).toBeNull();
    first!.release("failure");
    await vi.advanceTimersByTimeAsync(0);
    expect(third).not.toBeNull();
    expect(limiter.inFlight).toBe(2);
    expect(limiter.limit).toBe(2);
  });

  it("grows by one per success that found every slot taken, up to max, and not when slots were idle", async () => {
    const limiter = new AdaptiveConcurrency({ initial: 4, max: 6 });
    const idle = await takeNow(limiter, 1);
    idle[0]!.release("success");
    expect(limiter.limit).toBe(4);
    for (const expected of [5, 6, 6]) {
      const slots = await takeNow(limiter, limiter.limit);
      slots.at(-1)!.release("success");
      slots.slice(0, -1).forEach((slot) => slot.release("failure"));
      expect(limiter.limit).toBe(expected);
    }
  });

  it("halves on a 429 once per burst, starts nothing before its Retry-After, then grows by one per full window", async () => {
    const changes: Array<[number, string]> = [];
    const limiter = new AdaptiveConcurrency({ initial: 8, max: 16, onLimitChange: (limit, reason) => changes.push([limit, reason]) });
    const slots = await takeNow(limiter, 8);
    limiter.rateLimited(1_000);
    limiter.rateLimited(1_000);
    expect(limiter.limit).toBe(4);
    slots.forEach((slot) => slot.release("failure"));
    let granted: ConcurrencySlot | null = null;
    void limiter.acquire().then((slot) => (granted = slot));
    await vi.advanceTimersByTimeAsync(999);
    expect(granted).toBeNull();
    await vi.advanceTimersByTimeAsync(1);
    expect(granted).not.toBeNull();
    granted!.release("failure");

    // Congestion avoidance: 4 saturated successes are needed for 5.
    for (let round = 1; round <= 4; round += 1) {
      const window = await takeNow(limiter, 4);
      window.forEach((slot, index) => slot.release(index === 3 ? "success" : "failure"));
      expect(limiter.limit).toBe(round === 4 ? 5 : 4);
    }
    expect(changes).toEqual([
      [4, "rate_limited"],
      [5, "increase"],
    ]);
  });

  it("observe() reports a 429/503 with Retry-After from the wrapped embedder, and nothing else", async () => {
    const limiter = new AdaptiveConcurrency({ initial: 8, max: 8 });
    const errors = [
      new UpstreamError("HTTP 500"),
      new UpstreamUnavailableError("could not be reached"),
      new UpstreamUnavailableError("HTTP 429", { retryAfterSeconds: 2 }),
    ];
    const embedder = limiter.observe({
      modelId: "m",
      dimension: 1,
      maxInputsPerCall: 4,
      maxTokensPerCall: 100,
      supportsParallelCalls: true,
      embed: async () => {
        throw errors.shift();
      },
    });
    await expect(embedder.embed(["a"])).rejects.toBeInstanceOf(UpstreamError);
    await expect(embedder.embed(["a"])).rejects.toThrow("could not be reached");
    expect(limiter.limit).toBe(8);
    await expect(embedder.embed(["a"])).rejects.toThrow("HTTP 429");
    expect(limiter.limit).toBe(4);
    let granted = false;
    void limiter.acquire().then(() => (granted = true));
    await vi.advanceTimersByTimeAsync(1_999);
    expect(granted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(granted).toBe(true);
  });
});
