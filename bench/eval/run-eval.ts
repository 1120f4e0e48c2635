/**
 * `npm run eval [-- --set squad|nfcorpus|<dir> ... --limit-queries N --limit-docs N --configs a,b --peers a,b --no-peers --no-append]`
 * `npm run eval -- --answers [--set squad|golden|judge-labelled ...] [--judge local|model] [--config file.yaml] [--limit-queries N --limit-docs N] [--no-append]`
 *
 * Retrieval and answer quality of named configurations (bench/eval/eval-configs.ts) on BEIR-layout
 * sets, through the real service (composeRuntime + HTTP app), beside peer rows computed outside Ragline
 * on the same documents and queries (bench/eval/peers; `--no-peers` skips them). Prints one table per set and appends it,
 * with the command and date, to eval/RESULTS.md. With `--answers`: the answer eval (bench/eval/answers) instead,
 * on the offline defaults or on the configuration a `--config` file describes (e.g. a model answerer).
 */
import { execFileSync } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { format, resolveConfig } from "prettier";
import { fileURLToPath } from "node:url";
import { COLUMN_NOTES, formatResults } from "./format-results.js";
import { PEER_BUILDERS } from "./peers/run-peers.js";
import { runHarness } from "./run-harness.js";
import { ANSWER_COLUMN_NOTES, describeAnswerRun, formatAnswerResults } from "./answers/format-answer-results.js";
import { readConfigOverrides } from "./answers/read-config-overrides.js";
import { ANSWER_SETS, runAnswerEval, type AnswerSetName } from "./answers/run-answer-eval.js";

const RESULTS_PATH = fileURLToPath(new URL("../../eval/RESULTS.md", import.meta.url));

function parseArguments(argv: string[]) {
  const options = {
    sets: [] as string[],
    configs: ["default"],
    limitQueries: undefined as number | undefined,
    limitDocs: undefined as number | undefined,
    append: true,
    peers: Object.keys(PEER_BUILDERS),
    answers: false,
    judge: "local" as "local" | "model",
    configPath: undefined as string | undefined,
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
    } else if (flag === "--answers") {
      options.answers = true;
      continue;
    } else if (flag === "--judge") {
      if (value !== "local" && value !== "model") throw new Error("--judge needs local or model");
      options.judge = value;
    } else if (flag === "--config") options.configPath = value ?? "";
    else if (flag === "--peers") options.peers = (value ?? "").split(",").filter(Boolean);
    else throw new Error(`unknown option ${flag}`);
    index += 1;
  }
  if (options.answers) {
    if (options.sets.length === 0) options.sets = [...ANSWER_SETS];
    const unknownSet = options.sets.find((set) => !(ANSWER_SETS as readonly string[]).includes(set));
    if (unknownSet !== undefined) throw new Error(`--answers knows the sets ${ANSWER_SETS.join(", ")}, not "${unknownSet}"`);
  } else if (options.configPath !== undefined) throw new Error("--config applies to --answers only (retrieval runs name --configs)");
  if (options.sets.length === 0) options.sets = ["squad", "nfcorpus"];
  if (options.configPath === "") throw new Error("--config needs a file");
  if (options.sets.some((set) => set === "") || options.configs.length === 0) throw new Error("--set and --configs need a value");
  const unknownPeer = options.peers.find((peer) => !(peer in PEER_BUILDERS));
  if (unknownPeer !== undefined) throw new Error(`unknown peer "${unknownPeer}"; known: ${Object.keys(PEER_BUILDERS).join(", ")} (--no-peers skips them)`);
  return options;
}

const options = parseArguments(process.argv.slice(2));
const command = ["npm run eval", ...(process.argv.length > 2 ? ["--", ...process.argv.slice(2)] : [])].join(" ");
const started = new Date();
const log = (line: string) => console.warn(line);
let entryBody: string;
if (options.answers) {
  const overrides = options.configPath === undefined ? {} : await readConfigOverrides(options.configPath);
  const results = await runAnswerEval({ ...options, sets: options.sets as AnswerSetName[], overrides, log });
  const tables = formatAnswerResults(results);
  console.info(`\n${describeAnswerRun(results)}\n\n${tables}`);
  entryBody = `${describeAnswerRun(results)}\n\n${tables}\n${ANSWER_COLUMN_NOTES}`;
  // A set that was asked for and could not run is a failure of the command, after its figures are kept.
  if (results.judgeNotRun) process.exitCode = 1;
} else {
  const tables = formatResults(await runHarness({ ...options, log }));
  console.info(`\n${tables}`);
  entryBody = `${tables}\n${COLUMN_NOTES}`;
}
if (options.append) await appendToResults(`## ${started.toISOString().slice(0, 16).replace("T", " ")} UTC — \`${command}\``, entryBody);

/** Appends one run (heading + commit, then `body`) to eval/RESULTS.md, formatted as `npm run format` would. */
async function appendToResults(heading: string, body: string): Promise<void> {
  let commit = "unknown";
  try {
    commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim();
    if (execFileSync("git", ["status", "--porcelain", "--untracked-files=no", "--", ".", ":!eval/RESULTS.md"], { encoding: "utf8" }).trim() !== "")
      commit += " with uncommitted changes";
  } catch {
    // Not a git checkout: the entry still records the command and date.
  }
  const entry = `\n${heading} (commit ${commit})\n\n${body}\n`;
  // Formatted as `npm run format` would, so the appended tables never fail `format:check`.
  const next = (await readFile(RESULTS_PATH, "utf8")) + entry;
  await writeFile(RESULTS_PATH, await format(next, { ...(await resolveConfig(RESULTS_PATH)), parser: "markdown" }));
  console.info(`appended to ${RESULTS_PATH}`);
}
