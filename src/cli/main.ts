import { Command, Option } from "commander";
import { ApiClient, CliError, EXIT, readJson } from "./api-client.js";
import { ask } from "./ask-command.js";
import { ingest } from "./ingest-command.js";
import { print, table } from "./output.js";
import { addReviewCommands } from "./reviews-command.js";
import { addEvalCommand } from "./eval-command.js";

// `ragline`: a command-line client of a running Ragline service (its HTTP API only).

const out = (text: string) => process.stdout.write(text);

export function buildProgram(): Command {
  const program = new Command("ragline")
    .description("Command-line client of a Ragline service")
    .addOption(new Option("--url <url>", "the service's address").env("RAGLINE_URL").default("http://127.0.0.1:8080"))
    .addOption(new Option("--api-key <key>", "API key (Authorization: Bearer)").env("RAGLINE_API_KEY"))
    .option("--json", "print JSON for scripts", false)
    .showHelpAfterError()
    .exitOverride();
  const client = () => {
    const options = program.opts<{ url: string; apiKey?: string }>();
    return new ApiClient({ url: options.url, apiKey: options.apiKey });
  };
  const json = () => program.opts<{ json: boolean }>().json;

  program
    .command("ingest")
    .description("upload files and folders (recursively) in bulk; --wait follows them until indexed")
    .argument("<paths...>")
    .option("--wait", "wait until every document is indexed or failed", false)
    .action(async (paths: string[], options: { wait: boolean }) => {
      const summary = await ingest(client(), paths, { wait: options.wait, interactive: !json() && process.stderr.isTTY === true });
      print(summary, json(), () => {
        const lines = [
          `${summary.files} files: ${summary.accepted} accepted, ${summary.updated} updated, ${summary.duplicate} unchanged, ${summary.refused} refused`,
        ];
        if (summary.indexed !== null) lines.push(`${summary.indexed} indexed (${summary.chunks} chunks), ${summary.failed} failed`);
        for (const failure of summary.failures) lines.push(`  ${failure.name}: ${failure.reason}`);
        return lines.join("\n");
      });
      if (summary.refused > 0 || (summary.failed ?? 0) > 0) process.exitCode = EXIT.failed;
    });

  program
    .command("ask")
    .description("ask a question; the answer streams, then its citations")
    .argument("<question>")
    .action(async (question: string) => {
      const status = await ask(client(), question, { json: json(), write: out });
      if (status !== "answered") process.exitCode = EXIT.failed;
    });

  const docs = program.command("docs").description("documents");
  docs
    .command("list")
    .option("--status <status>", "queued | processing | indexed | failed")
    .option("--limit <n>", "at most n", "50")
    .action(async (options: { status?: string; limit: string }) => {
      const query = new URLSearchParams({ limit: options.limit, ...(options.status ? { status: options.status } : {}) });
      const page = await client().json<{ documents: Array<Record<string, unknown>> }>("GET", `/v1/documents?${query}`);
      print(page, json(), () => table(page.documents, ["id", "status", "chunk_count", "title", "source"]));
    });
  docs
    .command("get")
    .argument("<id>")
    .action(async (id: string) => {
      const document = await client().json<Record<string, unknown>>("GET", `/v1/documents/${encodeURIComponent(id)}`);
      print(document, json(), () => table([document], ["id", "status", "chunk_count", "title", "source", "error"]));
    });
  docs
    .command("rm")
    .argument("<id>")
    .action(async (id: string) => {
      const response = await client().send("DELETE", `/v1/documents/${encodeURIComponent(id)}`);
      // A refusal (404, 403…) becomes the one-line error, read from this answer.
      if (!response.ok) await readJson(response);
      print({ deleted: id }, json(), () => `deleted ${id}`);
    });

  program
    .command("jobs")
    .description("ingest jobs in one state (failed: the dead letters)")
    .option("--state <state>", "queued | active | completed | failed", "failed")
    .action(async (options: { state: string }) => {
      const page = await client().json<{ jobs: Array<Record<string, unknown>> }>("GET", `/v1/jobs?state=${encodeURIComponent(options.state)}&limit=100`);
      print(page, json(), () => table(page.jobs, ["id", "document_id", "state", "attempts", "error"]));
    });

  program
    .command("batches")
    .description("an upload batch's progress and failures")
    .argument("<id>")
    .action(async (id: string) => {
      const batch = await client().json<Record<string, unknown> & { failures: Array<Record<string, unknown>> }>("GET", `/v1/batches/${encodeURIComponent(id)}`);
      print(
        batch,
        json(),
        () =>
          `${JSON.stringify(batch.documents)} progress ${batch.progress} done ${batch.done}\n${table(batch.failures, ["index", "name", "stage", "reason"])}`,
      );
    });

  const keys = program.command("keys").description("API keys (admin key)");
  keys
    .command("create")
    .requiredOption("--tenant <tenant>")
    .option("--scopes <scopes>", "comma-separated: read, write, review, admin", "read,write")
    .option("--name <name>")
    .option("--expires-at <time>", "ISO-8601 time")
    .action(async (options: { tenant: string; scopes: string; name?: string; expiresAt?: string }) => {
      const created = await client().json<Record<string, unknown>>("POST", "/v1/keys", {
        tenant: options.tenant,
        scopes: options.scopes.split(",").map((scope) => scope.trim()),
        ...(options.name ? { name: options.name } : {}),
        ...(options.expiresAt ? { expires_at: options.expiresAt } : {}),
      });
      print(created, json(), () => `${created.key}\n(id ${created.id}; shown once: store it now)`);
    });
  keys
    .command("list")
    .option("--tenant <tenant>")
    .action(async (options: { tenant?: string }) => {
      const page = await client().json<{ keys: Array<Record<string, unknown>> }>(
        "GET",
        `/v1/keys${options.tenant ? `?tenant=${encodeURIComponent(options.tenant)}` : ""}`,
      );
      print(page, json(), () => table(page.keys, ["id", "tenant", "scopes", "name", "expires_at", "revoked_at"]));
    });
  keys
    .command("revoke")
    .argument("<id>")
    .action(async (id: string) => {
      const revoked = await client().json<Record<string, unknown>>("DELETE", `/v1/keys/${encodeURIComponent(id)}`);
      print(revoked, json(), () => `revoked ${id}`);
    });

  program
    .command("usage")
    .description("model tokens and cost from the usage ledger")
    .option("--group-by <groups>", "comma-separated: day, model, prompt_version, key, task, tenant", "day,model")
    .option("--from <time>")
    .option("--to <time>")
    .action(async (options: { groupBy: string; from?: string; to?: string }) => {
      const query = new URLSearchParams({
        group_by: options.groupBy,
        ...(options.from ? { from: options.from } : {}),
        ...(options.to ? { to: options.to } : {}),
      });
      const body = await client().json<{ totals: Array<{ group: Record<string, unknown> } & Record<string, unknown>> }>("GET", `/v1/usage?${query}`);
      const rows = body.totals.map((row) => ({ ...row.group, ...row, group: undefined }));
      print(body, json(), () => table(rows, [...options.groupBy.split(","), "calls", "input_tokens", "output_tokens", "cost_usd"]));
    });

  addReviewCommands(program, client, json);
  addEvalCommand(program);

  return program;
}

/** Runs the CLI; returns the exit code (0 done, 1 refused/failed, 2 bad usage, 3 service unreachable or in error). */
export async function runCli(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: "user" });
    return Number(process.exitCode ?? 0);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === "commander.helpDisplayed" || code === "commander.version") return EXIT.ok;
    if (code?.startsWith("commander.")) return EXIT.usage;
    if (error instanceof CliError) {
      process.stderr.write(`ragline: ${error.message}\n`);
      return error.exitCode;
    }
    process.stderr.write(`ragline: ${(error as Error).message}\n`);
    return EXIT.service;
  }
}
