import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import { CliError, EXIT } from "./api-client.js";

/** The eval harness of a checkout (bench/ is not part of an installed package). */
const HARNESS = fileURLToPath(new URL("../../bench/eval/run-eval.ts", import.meta.url));

/**
 * `ragline eval [options…]`: runs the eval harness (`npm run eval`) with the given options, in a child
 * process with this terminal. It builds its own embedded service per configuration, so it does not
 * use --url or --api-key. Exit code: 0 when the harness succeeded, 1 otherwise.
 */
export function addEvalCommand(program: Command): void {
  program
    .command("eval")
    .description("run the eval harness of this checkout (npm run eval): retrieval, or answers with --answers; see eval/README.md")
    .argument("[options...]", "the harness's own options, e.g. --answers --set squad --limit-queries 200 --no-append")
    .allowUnknownOption()
    .helpOption(false)
    .action(async (options: string[]) => {
      process.exitCode = await runHarness(options);
    });
}

function runHarness(options: string[]): Promise<number> {
  if (!existsSync(HARNESS)) throw new CliError(`the eval harness is not here (${HARNESS}): ragline eval runs from a checkout`, EXIT.usage);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", HARNESS, ...options], { stdio: "inherit" });
    child.on("error", reject);
    child.on("exit", (code) => resolve(code === 0 ? EXIT.ok : EXIT.failed));
  });
}
