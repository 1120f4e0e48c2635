import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { EmbeddingStandInOptions, EmbeddingStandInStats } from "../../test/helpers/embedding-endpoint-stand-in.js";

export interface StandInChild {
  baseUrl: string;
  child: ChildProcess;
  stats(): Promise<EmbeddingStandInStats>;
  stop(): Promise<void>;
}

/** Starts bench/lib/embedding-stand-in-process.ts in a child process, so its CPU is not charged to the pipeline under test. */
export async function startStandInChild(options: EmbeddingStandInOptions): Promise<StandInChild> {
  const script = fileURLToPath(new URL("./embedding-stand-in-process.ts", import.meta.url));
  const child = spawn(process.execPath, ["--import", "tsx", script, JSON.stringify(options)], { stdio: ["ignore", "pipe", "inherit"] });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const firstLine = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once("line", (line) => {
      lines.close();
      resolve(line);
    });
    child.once("exit", (code) => reject(new Error(`embedding stand-in exited with ${code}`)));
  });
  const { baseUrl } = JSON.parse(firstLine) as { baseUrl: string };
  return {
    baseUrl,
    child,
    stats: async () => (await (await fetch(baseUrl)).json()) as EmbeddingStandInStats,
    async stop() {
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}

/**
 * Least time (ms) the stand-in needs for `inputs` texts: each of `maxInFlight` slots serves an
 * equal share in requests of at most `maxInputs`, each paying `baseMs` plus `perInputMs` per input.
 */
export function standInFloorMs(inputs: number, model: { baseMs: number; perInputMs: number; maxInputs: number; maxInFlight: number }): number {
  if (inputs === 0) return 0;
  const perSlot = inputs / model.maxInFlight;
  const requestsPerSlot = Math.ceil(perSlot / model.maxInputs);
  return requestsPerSlot * model.baseMs + perSlot * model.perInputMs;
}
