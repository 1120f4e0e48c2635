/**
 * `npm run eval [-- --set squad|nfcorpus|<dir> ... --limit-queries N --limit-docs N --configs a,b --peers a,b --no-peers --no-append]`
 *
 * Retrieval and answer quality of named configurations (bench/eval/eval-configs.ts) on BEIR-layout
 * sets, through the real service (composeRuntime + HTTP app), beside peer rows computed outside Ragline
 * on the same documents and queries (bench/eval/peers; `--no-peers` skips them). Prints one table per set and appends it,
 * with the command and date, to eval/RESULTS.md.
 */
import { execFileSync } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { format, resolveConfig } from "prettier";
import { fileURLToPath } from "node:url";
import { COLUMN_NOTES, formatResults } from "./format-results.js";
import { PEER_BUILDERS } from "./peers/run-peers.js";
import { runHarness } from "./run-harness.js";

const RESULTS_PATH = fileURLToPath(new URL("../../eval/RESULTS.md", import.meta.url));

function parseArguments(argv: string[]) {
  const options = {
    sets: [] as string[],
    configs: ["default"],
    limitQueries: undefined as number | undefined,
    limitDocs: undefined as number | undefined,
    append: true,
    peers: Object.keys(PEER_BUILDERS),
  };
  const positive = (flag: string, value: string | undefined): number => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed <= 0) throw new Error(`${flag} needs a positive integer`);
    return parsed;
  };
  for (let index = 0; index < argv.length; index++) {
    const flag = argv[index]!;
    const value = argv[index + 1];
    if (flag === "--set") options.sets.push(value ?? "");
    else if (flag === "--configs") options.configs = (value ?? "").split(",").filter(Boolean);
    else if (flag === "--limit-queries") options.limitQueries = positive(flag, value);
    else if (flag === "--limit-docs") options.limitDocs = positive(flag, value);
    else if (flag === "--no-append") {
      options.append = false;
      continue;
    } else if (flag === "--no-peers") {
      options.peers = [];
      continue;
    } else if (flag === "--peers") options.peers = (value ?? "").split(",").filter(Boolean);
    else throw new Error(`unknown option ${flag}`);
    index += 1;
  }
  if (options.sets.length === 0) options.sets = ["squad", "nfcorpus"];
  if (options.sets.some((set) => set === "") || options.configs.length === 0) throw new Error("--set and --configs need a value");
  const unknownPeer = options.peers.find((peer) => !(peer in PEER_BUILDERS));
  if (unknownPeer !== undefined) throw new Error(`unknown peer "${unknownPeer}"; known: ${Object.keys(PEER_BUILDERS).join(", ")} (--no-peers skips them)`);
  return options;
}

const options = parseArguments(process.argv.slice(2));
const command = ["npm run eval", ...(process.argv.length > 2 ? ["--", ...process.argv.slice(2)] : [])].join(" ");
const started = new Date();
const results = await runHarness({ ...options, log: (line) => console.warn(line) });
const tables = formatResults(results);
console.info(`\n${tables}`);
if (options.append) {
  let commit = "unknown";
  try {
    commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim();
    if (execFileSync("git", ["status", "--porcelain", "--untracked-files=no", "--", ".", ":!eval/RESULTS.md"], { encoding: "utf8" }).trim() !== "")
      commit += " with uncommitted changes";
  } catch {
    // Not a git checkout: the entry still records the command and date.
  }
  const entry = `\n## ${started.toISOString().slice(0, 16).replace("T", " ")} UTC — \`${command}\` (commit ${commit})\n\n${tables}\n${COLUMN_NOTES}\n`;
  // Formatted as `npm run format` would, so the appended tables never fail `format:check`.
  const next = (await readFile(RESULTS_PATH, "utf8")) + entry;
  await writeFile(RESULTS_PATH, await format(next, { ...(await resolveConfig(RESULTS_PATH)), parser: "markdown" }));
  console.info(`appended to ${RESULTS_PATH}`);
}
