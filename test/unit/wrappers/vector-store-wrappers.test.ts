import { describe, expect, it } from "vitest";
import { ConflictError, UpstreamTimeoutError, UpstreamUnavailableError, ValidationError } from "../../../src/core/errors.js";
import type { CandidateLists, ChunkPoint, StoreHealth, VectorStore } from "../../../src/ports/vector-store.js";
import { createCandidatesConcurrencyLimit, createConcurrencyLimit } from "../../../src/wrappers/candidates-concurrency-limit.js";
import { createCollectionEnsuringStore } from "../../../src/wrappers/collection-ensuring-store.js";
import { createResiliencePolicy } from "../../../src/wrappers/resilience-policy.js";
import { createResilientVectorStore } from "../../../src/wrappers/resilient-vector-store.js";
import { createUpsertCoalescingStore } from "../../../src/wrappers/upsert-coalescing-store.js";

/** A recording stand-in for the wrapped store: wrappers are about call patterns, which a real engine hides. */
function recordingStore(overrides: Partial<VectorStore> = {}) {
  const log: string[] = [];
  const upserts: string[][] = [];
  const store: VectorStore = {
    kind: "recording-stand-in",
    ensureCollection: async () => {
      log.push("ensureCollection");
    },
    upsert: async (points) => {
      upserts.push(points.map((point) => point.id));
      log.push(`upsert ${points.map((point) => point.id).join(",")}`);
    },
    deleteDocument: async (tenant, documentId) => {
      log.push(`delete ${tenant}/${documentId}`);
    },
    candidates: async (): Promise<CandidateLists> => ({ dense: [], lexical: [] }),
    count: async () => upserts.flat().length,
    health: async () => ({ status: "up" }),
    close: async () => {
      log.push("close");
    },
    ...overrides,
  };
  return { store, log, upserts };
}

const point = (id: string, text = id): ChunkPoint => ({ id, tenant: "t", text, vector: [1], metadata: {} as ChunkPoint["metadata"] });
const settle = () => new Promise((resolve) => setImmediate(resolve));
const request = { tenant: "t", dense: [1], limit: 5 };

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((resolvePromise) => {
    resolve = resolvePromise;
  });
  return { promise, resolve };
}

describe("createUpsertCoalescingStore", () => {
  it("coalesces same-tick upserts into one call, up to maxPointsPerCall, never splitting one caller's batch", async () => {
    const { store, upserts } = recordingStore();
    const coalescing = createUpsertCoalescingStore(store, { maxPointsPerCall: 4 });
    await Promise.all([coalescing.upsert([point("a"), point("b")]), coalescing.upsert([point("c")]), coalescing.upsert([point("d"), point("e")])]);
    expect(upserts).toEqual([
      ["a", "b", "c"],
      ["d", "e"],
    ]);
    await coalescing.upsert([point("f"), point("g"), point("h"), point("i"), point("j")]);
    expect(upserts.at(-1)).toHaveLength(5);
    await coalescing.upsert([]);
    expect(upserts).toHaveLength(3);
  });

  it("keeps the last of a point repeated across callers, and queues upserts behind a running write", async () => {
    const gate = deferred();
    const { store, upserts } = recordingStore();
    const received: ChunkPoint[][] = [];
    const slowFirst = recordingStore({
      upsert: async (points) => {
        received.push(points);
        if (upserts.length === 0) await gate.promise;
        await store.upsert(points);
      },
    });
    const coalescing = createUpsertCoalescingStore(slowFirst.store, { maxPointsPerCall: 100 });
    const first = coalescing.upsert([point("a", "v1")]);
    await settle();
    const later = [coalescing.upsert([point("b"), point("a", "v2")]), coalescing.upsert([point("a", "v3")]), coalescing.upsert([point("c")])];
    gate.resolve();
    await Promise.all([first, ...later]);
    expect(upserts).toEqual([["a"], ["b", "a", "c"]]);
    expect(received[1]!.find((entry) => entry.id === "a")!.text).toBe("v3");
  });

  it("runs a delete between the upserts queued around it, in arrival order", async () => {
    const { store, log } = recordingStore();
    const coalescing = createUpsertCoalescingStore(store, { maxPointsPerCall: 100 });
    await Promise.all([
      coalescing.upsert([point("a")]),
      coalescing.deleteDocument("t", "doc"),
      coalescing.upsert([point("b")]),
      coalescing.upsert([point("c")]),
    ]);
    expect(log).toEqual(["upsert a", "delete t/doc", "upsert b,c"]);
  });

  it("fails only the caller with bad points (non-transient error), and every caller of a batch on a transient error", async () => {
    let down = false;
    const { store, upserts } = recordingStore();
    const validating = recordingStore({
      upsert: async (points) => {
        if (down) throw new UpstreamUnavailableError("engine down");
        if (points.some((entry) => entry.id === "bad")) throw new ValidationError("Invalid points for upsert");
        await store.upsert(points);
      },
    });
    const coalescing = createUpsertCoalescingStore(validating.store, { maxPointsPerCall: 100 });
    const outcomes = await Promise.allSettled([coalescing.upsert([point("a")]), coalescing.upsert([point("bad")]), coalescing.upsert([point("c")])]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect((outcomes[1] as PromiseRejectedResult).reason).toBeInstanceOf(ValidationError);
    expect(upserts).toEqual([["a"], ["c"]]);

    down = true;
    const failed = await Promise.allSettled([coalescing.upsert([point("d")]), coalescing.upsert([point("e")])]);
    expect(failed.map((outcome) => (outcome as PromiseRejectedResult).reason)).toEqual([
      expect.any(UpstreamUnavailableError),
      expect.any(UpstreamUnavailableError),
    ]);
    expect(upserts).toHaveLength(2);
  });

  it("lets queued writes finish before closing the wrapped store, and passes other calls through", async () => {
    const { store, log } = recordingStore();
    const coalescing = createUpsertCoalescingStore(store, { maxPointsPerCall: 100 });
    const pending = coalescing.upsert([point("a")]);
    await coalescing.close();
    await pending;
    expect(log).toEqual(["upsert a", "close"]);
    expect(coalescing.kind).toBe("recording-stand-in");
    expect(await coalescing.count("t")).toBe(1);
    expect(() => createUpsertCoalescingStore(store, { maxPointsPerCall: 0 })).toThrow(RangeError);
  });
});

describe("createCandidatesConcurrencyLimit", () => {
  it("runs at most `limit` tasks at once and starts the rest in arrival order", async () => {
    const run = createConcurrencyLimit(2);
    const tasks = Array.from({ length: 5 }, () => deferred());
    const started: number[] = [];
    const runs = tasks.map((task, index) =>
      run(async () => {
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

  it("frees the slot of a task that fails, and refuses a limit below 1", async () => {
    const run = createConcurrencyLimit(1);
    await expect(run(() => Promise.reject(new Error("engine down")))).rejects.toThrow("engine down");
    expect(await run(async () => "next")).toBe("next");
    expect(() => createConcurrencyLimit(0)).toThrow(RangeError);
  });

  it("caps concurrent candidates calls of a store and leaves writes alone", async () => {
    const gate = deferred();
    let active = 0;
    let peak = 0;
    const { store, upserts } = recordingStore({
      candidates: async () => {
        peak = Math.max(peak, ++active);
        await gate.promise;
        active -= 1;
        return { dense: [], lexical: [] };
      },
    });
    const limited = createCandidatesConcurrencyLimit(store, { maxConcurrent: 2 });
    const queries = Array.from({ length: 6 }, () => limited.candidates(request));
    await Promise.all([limited.upsert([point("a")]), limited.upsert([point("b")])]);
    expect(upserts).toEqual([["a"], ["b"]]);
    gate.resolve();
    await Promise.all(queries);
    expect(peak).toBe(2);
  });
});

describe("createResilientVectorStore", () => {
  it("times out a hanging candidates call; with the breaker open, health still probes the store itself", async () => {
    const policy = createResiliencePolicy({ name: "vector_store", timeoutMs: 20, maxAttempts: 1, breakerThreshold: 1, halfOpenAfterMs: 60_000 });
    let probe: StoreHealth = { status: "up" };
    const { store } = recordingStore({ candidates: () => new Promise(() => {}), health: async () => probe });
    const resilient = createResilientVectorStore(store, policy);
    expect(await resilient.health()).toEqual({ status: "up" });
    await expect(resilient.candidates(request)).rejects.toBeInstanceOf(UpstreamTimeoutError);
    expect(policy.breakerState).toBe("open");
    const whileOpen = await resilient.health();
    expect(whileOpen.status).toBe("up");
    expect(whileOpen.detail).toMatch(/circuit, open after repeated failures/);
    probe = { status: "down", detail: "connection refused" };
    expect(await resilient.health()).toEqual({ status: "down", detail: "connection refused" });
    await expect(resilient.candidates(request)).rejects.toBeInstanceOf(UpstreamUnavailableError);
  });
});

describe("createCollectionEnsuringStore", () => {
  it("starts while the store is down, fails fast until the collection can be ensured, then passes calls through", async () => {
    let reachable = false;
    const { store, log } = recordingStore({
      ensureCollection: async () => {
        if (!reachable) throw new Error("connection refused");
      },
    });
    const ensuring = createCollectionEnsuringStore(store, { dimension: 8, model: "m" }, { retryIntervalMs: 30 });
    await ensuring.ensureAtStart();
    await expect(ensuring.store.candidates(request)).rejects.toBeInstanceOf(UpstreamUnavailableError);
    await expect(ensuring.store.upsert([point("a")])).rejects.toBeInstanceOf(UpstreamUnavailableError);
    expect((await ensuring.store.health()).status).toBe("down");
    reachable = true;
    await new Promise((resolve) => setTimeout(resolve, 40));
    await ensuring.store.upsert([point("a")]);
    expect(await ensuring.store.count("t")).toBe(1);
    expect(await ensuring.store.health()).toEqual({ status: "up" });
    expect(log).toEqual(["upsert a"]);
  });

  it("refuses to start on a model or dimension conflict", async () => {
    const { store } = recordingStore({
      ensureCollection: async () => {
        throw new ConflictError("built with another model");
      },
    });
    await expect(createCollectionEnsuringStore(store, { dimension: 8, model: "m" }).ensureAtStart()).rejects.toBeInstanceOf(ConflictError);
  });
});
