import type { Table } from "@lancedb/lancedb";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { silentLogger } from "../../src/ports/logger.js";
import { LanceDbMaintenance } from "../../src/adapters/vector-store/lancedb/lancedb-maintenance.js";

/** Stands in for a LanceDB table: only the calls optimize makes, counted. */
function fakeTable() {
  const optimize = vi.fn(async () => ({ compaction: { fragmentsRemoved: 0 }, prune: { oldVersionsRemoved: 0 } }));
  return { optimize, table: { optimize, countRows: async () => 0 } as unknown as Table };
}

const immediateWriter = { run: <T>(task: () => Promise<T>) => task() };
const silent = silentLogger;
const settings = {
  annIndexMinRows: 1_000,
  annMaxIndexParts: 8,
  optimizeEveryWrites: 5,
  optimizeEveryRows: 100,
  optimizeAfterIdleMs: 1_000,
  versionRetentionMs: 0,
};

describe("LanceDbMaintenance optimize triggers", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("optimizes once writes have paused for the idle delay, not while they keep coming", async () => {
    const { table, optimize } = fakeTable();
    const maintenance = new LanceDbMaintenance(immediateWriter, silent, settings);
    for (let write = 0; write < 4; write++) {
      maintenance.noteWrite(table, 1);
      await vi.advanceTimersByTimeAsync(800);
    }
    expect(optimize).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(200);
    expect(optimize).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(optimize).toHaveBeenCalledTimes(1);
  });

  it("optimizes right away after N writes or M rows", async () => {
    const { table, optimize } = fakeTable();
    const maintenance = new LanceDbMaintenance(immediateWriter, silent, settings);
    for (let write = 0; write < 5; write++) maintenance.noteWrite(table, 1);
    await vi.advanceTimersByTimeAsync(0);
    expect(optimize).toHaveBeenCalledTimes(1);
    maintenance.noteWrite(table, 100);
    await vi.advanceTimersByTimeAsync(0);
    expect(optimize).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(optimize).toHaveBeenCalledTimes(2);
  });

  it("never optimizes after stop()", async () => {
    const { table, optimize } = fakeTable();
    const maintenance = new LanceDbMaintenance(immediateWriter, silent, settings);
    maintenance.noteWrite(table, 1);
    maintenance.stop();
    maintenance.noteWrite(table, 1);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(optimize).not.toHaveBeenCalled();
  });

  it("deletes the versions an optimize had to keep once they pass the retention, with no further write", async () => {
    const { table, optimize } = fakeTable();
    const maintenance = new LanceDbMaintenance(immediateWriter, silent, { ...settings, versionRetentionMs: 60_000 });
    for (let write = 0; write < 5; write++) maintenance.noteWrite(table, 1);
    await vi.advanceTimersByTimeAsync(0);
    expect(optimize).toHaveBeenCalledTimes(1);
    const firstOptimizeAt = Date.now();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(optimize).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(optimize).toHaveBeenCalledTimes(2);
    // Its cut-off lies after the first optimize: every version the burst wrote is now old enough to go.
    const cutoff = (optimize.mock.calls[1] as unknown as [{ cleanupOlderThan: Date }])[0].cleanupOlderThan;
    expect(cutoff.getTime()).toBeGreaterThan(firstOptimizeAt);
    // The prune arms no further prune: idle tables are left alone.
    await vi.advanceTimersByTimeAsync(10 * 61_000);
    expect(optimize).toHaveBeenCalledTimes(2);
  });
});
