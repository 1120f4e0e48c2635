import { percentile } from "../../src/core/eval/answer-metrics.js";
import { runPool } from "./bench-service.js";

/** Latency percentiles (ms) and throughput of one timed pass. */
export interface TimedPass {
  concurrency: number;
  p50: number;
  p99: number;
  perSecond: number;
}

/** Runs `task` over `items` with `concurrency` in flight, timing each call and the whole pass. */
export async function timedPool<T>(items: readonly T[], concurrency: number, task: (item: T) => Promise<void>): Promise<TimedPass> {
  const latencies: number[] = [];
  const started = performance.now();
  await runPool(items, concurrency, async (item) => {
    const begin = performance.now();
    await task(item);
    latencies.push(performance.now() - begin);
  });
  const seconds = (performance.now() - started) / 1000;
  return { concurrency, p50: percentile(latencies, 50) ?? NaN, p99: percentile(latencies, 99) ?? NaN, perSecond: items.length / seconds };
}
