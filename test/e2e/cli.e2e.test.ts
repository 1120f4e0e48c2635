import { spawn } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { runCli } from "../../src/cli/main.js";
import { startService, type ServiceProcess } from "../helpers/service-process.js";
import { childProcessEnvironment } from "../helpers/test-environment.js";

// The `ragline` CLI against the real service (embedded mode, its own data directory and config file).

const ADMIN = "cli-admin-key-0123456789abcdef";
const TENANT = "cli-tenant-key-0123456789abcde";
const PROJECT_ROOT = join(import.meta.dirname, "..", "..");

/** Runs the CLI in this process, capturing what it prints. */
async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const outSpy = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  const errSpy = vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  const previous = process.exitCode;
  process.exitCode = undefined;
  try {
    const code = await runCli(args);
    return { code, stdout, stderr };
  } finally {
    process.exitCode = previous;
    outSpy.mockRestore();
    errSpy.mockRestore();
  }
}

describe("ragline CLI (real service)", () => {
  let directory = "";
  let service: ServiceProcess | undefined;
  let as: (key: string) => string[];

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), "ragline-cli-"));
    await writeFile(
      join(directory, "ragline.yaml"),
      `auth:\n  apiKeys:\n    - { key: ${ADMIN}, tenant: operator, scopes: [admin] }\n    - { key: ${TENANT}, tenant: acme }\n`,
    );
    const corpus = join(directory, "corpus");
    await mkdir(join(corpus, "guides"), { recursive: true });
    await writeFile(join(corpus, "volcanoes.md"), "# Volcanoes\n\nMount Etna is an active stratovolcano on the east coast of Sicily.\n");
    await writeFile(join(corpus, "bread.txt"), "Sourdough bread is leavened with wild yeast and lactic acid bacteria.\n");
    await writeFile(
      join(corpus, "guides", "harbour.html"),
      "<html><head><title>Harbour</title></head><body><p>The harbour master opens the lock gates at dawn.</p></body></html>",
    );
    await writeFile(join(corpus, "guides", "photo.png"), Buffer.from("89504e470d0a1a0a0000000d49484452", "hex"));
    await writeFile(join(corpus, ".hidden.txt"), "never uploaded");
    service = await startService({ DATA_DIR: join(directory, "data"), RAGLINE_CONFIG: join(directory, "ragline.yaml") });
    as = (key: string) => ["--url", service!.url, "--api-key", key];
  }, 60_000);

  afterAll(async () => {
    await service?.stop();
    if (directory) await rm(directory, { recursive: true, force: true });
  });

  it("ingests a folder recursively in bulk, waits for indexing, and reports the refused file with its reason", async () => {
    const result = await cli([...as(TENANT), "--json", "ingest", join(directory, "corpus"), "--wait"]);
    expect(result.code, result.stderr).toBe(1);
    const summary = JSON.parse(result.stdout) as {
      files: number;
      accepted: number;
      refused: number;
      indexed: number;
      chunks: number;
      failed: number;
      failures: Array<{ name: string; reason: string }>;
    };
    expect(summary).toMatchObject({ files: 4, accepted: 3, refused: 1, indexed: 3, failed: 0 });
    expect(summary.chunks).toBeGreaterThanOrEqual(3);
    expect(summary.failures).toHaveLength(1);
    expect(summary.failures[0]!.name).toBe("photo.png");
    expect(summary.failures[0]!.reason).toMatch(/image\/png/);

    const again = await cli([...as(TENANT), "ingest", join(directory, "corpus", "bread.txt")]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/1 files: 0 accepted, 0 updated, 1 unchanged, 0 refused/);
  }, 60_000);

  it("asks with a streamed answer and cited sources, lists and removes documents", async () => {
    const answer = await cli([...as(TENANT), "ask", "Where is Mount Etna?"]);
    expect(answer.code, answer.stderr).toBe(0);
    expect(answer.stdout).toMatch(/Sicily/);
    expect(answer.stdout).toMatch(/^\[1\] Volcanoes \(volcanoes\.md\): /m);

    const listed = await cli([...as(TENANT), "--json", "docs", "list"]);
    const ids = (JSON.parse(listed.stdout) as { documents: Array<{ id: string; source: string }> }).documents;
    expect(ids.map((document) => document.source).sort()).toEqual(["bread.txt", "harbour.html", "volcanoes.md"]);
    const bread = ids.find((document) => document.source === "bread.txt")!.id;
    expect((await cli([...as(TENANT), "docs", "rm", bread])).code).toBe(0);
    const missing = await cli([...as(TENANT), "docs", "get", bread]);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/^ragline: 404 not_found/);
    const removedTwice = await cli([...as(TENANT), "docs", "rm", bread]);
    expect(removedTwice.code).toBe(3);
    expect(removedTwice.stderr).toMatch(/^ragline: 404 not_found/);
  }, 60_000);

  it("manages keys with the admin key; a created key works and, revoked, is refused", async () => {
    const created = await cli([...as(ADMIN), "--json", "keys", "create", "--tenant", "acme", "--scopes", "read"]);
    expect(created.code, created.stderr).toBe(0);
    const key = JSON.parse(created.stdout) as { id: string; key: string };
    expect((await cli([...as(key.key), "docs", "list"])).code).toBe(0);
    const listed = await cli([...as(ADMIN), "keys", "list", "--tenant", "acme"]);
    expect(listed.stdout).toContain(key.id);
    expect((await cli([...as(ADMIN), "keys", "revoke", key.id])).code).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    const refused = await cli([...as(key.key), "docs", "list"]);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/401 unauthorized/);
    expect((await cli([...as(TENANT), "keys", "list"])).stderr).toMatch(/403 forbidden/);
  }, 60_000);

  it("gives feedback on an answer; a write key's correction waits in the review queue, where a review key corrects it", async () => {
    const streamed = await cli([...as(TENANT), "ask", "Where is Mount Etna?"]);
    expect(streamed.stdout).toMatch(/^\(answer ans_[0-9a-f]{32}: ragline feedback give ans_/m);
    const writerKey = JSON.parse((await cli([...as(ADMIN), "--json", "keys", "create", "--tenant", "acme", "--scopes", "read,write"])).stdout) as {
      key: string;
    };
    const answer = JSON.parse((await cli([...as(writerKey.key), "--json", "ask", "Where is Mount Etna?"])).stdout) as { answer_id: string };
    const given = await cli([...as(writerKey.key), "feedback", "give", answer.answer_id, "down", "--correct", "Etna is in Sicily."]);
    expect(given.code, given.stderr).toBe(0);
    const reviewId = /review (rev_[0-9a-f]{32}) opened/.exec(given.stdout)?.[1];
    expect(reviewId, given.stdout).toBeDefined();

    expect((await cli([...as(writerKey.key), "reviews"])).stderr).toMatch(/403 forbidden/);
    const listed = await cli([...as(TENANT), "reviews"]);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(new RegExp(`^${reviewId}\\s+pending\\s+Where is Mount Etna\\?\\s+user correction$`, "m"));

    const corrected = await cli([...as(TENANT), "reviews", "correct", reviewId!, "Mount Etna is on the east coast of Sicily.", "--comment", "more precise"]);
    expect(corrected.code, corrected.stderr).toBe(0);
    expect(corrected.stdout).toMatch(/corrected: Mount Etna is on the east coast of Sicily\./);
    const exampleId = /example: (fb_[0-9a-f]{32})/.exec(corrected.stdout)?.[1];
    expect(exampleId, corrected.stdout).toBeDefined();
    const again = await cli([...as(TENANT), "reviews", "approve", reviewId!]);
    expect(again.code).toBe(3);
    expect(again.stderr).toMatch(/409 conflict: review rev_\w+ is already corrected/);
    const decided = JSON.parse((await cli([...as(TENANT), "--json", "reviews", "--state", "corrected"])).stdout) as { reviews: Array<{ id: string }> };
    expect(decided.reviews.map((review) => review.id)).toEqual([reviewId]);
    expect((await cli([...as(TENANT), "reviews", "correct", reviewId!])).code).toBe(2);
    expect((await cli([...as(TENANT), "reviews", "reject", "rev_unknown"])).stderr).toMatch(/404 not_found/);

    const removed = await cli([...as(TENANT), "feedback", "rm", exampleId!]);
    expect(removed.code, removed.stderr).toBe(0);
    expect(removed.stdout).toMatch(/its example is no longer used/);
  }, 60_000);

  it("runs as the package's bin, and says in one line when the service cannot be reached (exit 3)", async () => {
    const run = (args: string[]) =>
      new Promise<{ code: number | null; output: string }>((resolve) => {
        const child = spawn(process.execPath, [join(PROJECT_ROOT, "bin", "ragline.mjs"), ...args], {
          env: childProcessEnvironment(),
          stdio: ["ignore", "pipe", "pipe"],
        });
        let output = "";
        child.stdout.on("data", (chunk) => (output += String(chunk)));
        child.stderr.on("data", (chunk) => (output += String(chunk)));
        child.once("exit", (code) => resolve({ code, output }));
      });
    const listed = await run([...as(TENANT), "docs", "list"]);
    expect(listed.code, listed.output).toBe(0);
    expect(listed.output).toMatch(/^id\s+status/);
    const unreachable = await run(["--url", "http://127.0.0.1:59999", "docs", "list"]);
    expect(unreachable.code).toBe(3);
    expect(unreachable.output.trim().split("\n")).toEqual(["ragline: cannot reach Ragline at http://127.0.0.1:59999 (ECONNREFUSED); set --url or RAGLINE_URL"]);
    const usage = await run(["docs", "frobnicate"]);
    expect(usage.code).toBe(2);
    // `eval` hands its options to the checkout's harness: an option the harness does not know is its error, exit 1.
    const evaluation = await run(["eval", "--no-such-option"]);
    expect(evaluation.code).toBe(1);
    expect(evaluation.output).toMatch(/unknown option --no-such-option/);
  }, 60_000);
});
