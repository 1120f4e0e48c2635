import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { childProcessEnvironment } from "./test-environment.js";

const PROJECT_ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** A free loopback port (bound once and released). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

export interface ServiceProcess {
  url: string;
  child: ChildProcess;
  output(): string;
  /** SIGTERM and wait for exit. */
  stop(): Promise<number | null>;
  /** SIGKILL (no cleanup at all) and wait for exit. */
  kill(): Promise<void>;
}

/**
 * Starts the real service the way `npm start` does (`node --import tsx src/main.ts`), or a worker
 * as `npm run worker` does (`entry: "src/worker.ts"`), and waits for /healthz. The process gets the
 * test environment (no production variables, the run's clean RAGLINE_CONFIG) plus `environment`.
 */
export async function startService(
  environment: Record<string, string>,
  options: { timeoutMs?: number; entry?: "src/main.ts" | "src/worker.ts" } = {},
): Promise<ServiceProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ["--import", "tsx", options.entry ?? "src/main.ts"], {
    cwd: PROJECT_ROOT,
    env: childProcessEnvironment({ HOST: "127.0.0.1", PORT: String(port), LOG_LEVEL: "warn", ...environment }),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk) => (output += String(chunk)));
  child.stderr?.on("data", (chunk) => (output += String(chunk)));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;

  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`service exited with ${child.exitCode} before it was healthy:\n${output}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`service not healthy in time:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url,
    child,
    output: () => output,
    async stop() {
      if (child.exitCode === null) child.kill("SIGTERM");
      return exited;
    },
    async kill() {
      if (child.exitCode === null) child.kill("SIGKILL");
      await exited;
    },
  };
}

/** Runs the service expecting it to exit (e.g. on bad configuration); resolves with exit code and output. */
export async function runServiceToExit(environment: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: PROJECT_ROOT,
    env: childProcessEnvironment(environment),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk) => (output += String(chunk)));
  child.stderr?.on("data", (chunk) => (output += String(chunk)));
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  return { code, output };
}
