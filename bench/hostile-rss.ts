// `npm run bench:hostile`: rounds of hostile requests against the real service, printing the service's
// resident memory after each round (idle 3 s, then read /proc) so a leak shows as RSS that keeps rising.
// Usage: npx tsx bench/hostile-rss.ts [--rounds 4] [--requests 2000] [--concurrency 16]
import { readFile } from "node:fs/promises";
import { runPool, startBenchService } from "./lib/bench-service.js";
import { seededRandom } from "./lib/seeded-random.js";

function argument(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
}

async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  return Number(status.match(/VmRSS:\s+(\d+) kB/)?.[1] ?? 0) / 1024;
}

const deep = (depth: number): unknown => (depth === 0 ? "x" : { a: deep(depth - 1) });
const BODIES: Array<{ type: string; body: () => string | Uint8Array }> = [
  { type: "application/json", body: () => "{" },
  { type: "application/json", body: () => JSON.stringify({ text: "x".repeat(1_000_000) }) },
  { type: "application/json", body: () => JSON.stringify({ documents: Array.from({ length: 500 }, () => ({ text: 5 })) }) },
  { type: "application/json", body: () => JSON.stringify(deep(500)) },
  { type: "application/json", body: () => "[".repeat(100_000) },
  { type: "application/json", body: () => Uint8Array.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]) },
  { type: "application/x-ndjson", body: () => `${'{"text":"ok line"}\n'.repeat(50)}{"broken\n` },
  { type: "multipart/form-data; boundary=Q", body: () => `--Q\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\n${"y".repeat(200_000)}` },
  { type: "text/plain", body: () => "\u0000".repeat(10_000) },
];
const PATHS = ["/v1/documents", "/v1/query", "/v1/documents/%00", "/v1/jobs?state=bogus", "/v1/batches/nope", "/v1/documents?cursor=%FF"];

const rounds = argument("rounds", 4);
const requests = argument("requests", 2_000);
const concurrency = argument("concurrency", 16);
const bench = await startBenchService();
const pid = bench.service.child.pid!;
const random = seededRandom(7);
const statuses = new Map<number, number>();
try {
  console.log(`hostile-rss: ${rounds} rounds × ${requests} requests, ${concurrency} in flight; service pid ${pid}`);
  console.log(`round  RSS after (MiB)  5xx  requests/s`);
  console.log(`start  ${(await rssMiB(pid)).toFixed(0).padStart(15)}`);
  for (let round = 1; round <= rounds; round++) {
    const started = performance.now();
    await runPool(
      Array.from({ length: requests }, (_, index) => index),
      concurrency,
      async () => {
        const pick = BODIES[Math.floor(random() * BODIES.length)]!;
        const path = PATHS[Math.floor(random() * PATHS.length)]!;
        const response = await fetch(`${bench.service.url}${path}`, {
          method: "POST",
          headers: { "content-type": pick.type },
          body: new Blob([pick.body() as BlobPart]),
        }).catch(() => null);
        const status = response?.status ?? 0;
        await response?.arrayBuffer().catch(() => undefined);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      },
    );
    const seconds = (performance.now() - started) / 1000;
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const errors = [...statuses].filter(([status]) => status >= 500 || status === 0).reduce((sum, [, count]) => sum + count, 0);
    console.log(
      `${String(round).padStart(5)}  ${(await rssMiB(pid)).toFixed(0).padStart(15)}  ${String(errors).padStart(3)}  ${(requests / seconds).toFixed(0).padStart(10)}`,
    );
  }
  console.log(`statuses: ${JSON.stringify(Object.fromEntries([...statuses].sort(([a], [b]) => a - b)))}`);
} finally {
  await bench.stop();
}
