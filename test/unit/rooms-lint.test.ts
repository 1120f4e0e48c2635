import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { ESLint } from "eslint";
import { beforeAll, describe, expect, it } from "vitest";

const PROJECT_ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** [file the import is written in (need not exist), import specifier]. */
type Case = [string, string];

const VIOLATIONS: Case[] = [
  ["src/core/probe.ts", "../ports/parser.js"],
  ["src/core/probe.ts", "../adapters/parser/plain-text-parser.js"],
  ["src/core/probe.ts", "../observability/logger.js"],
  ["src/core/probe.ts", "node:fs"],
  ["src/core/probe.ts", "fs/promises"],
  ["src/core/probe.ts", "node:http"],
  ["src/core/probe.ts", "@lancedb/lancedb"],
  ["src/core/probe.ts", "@qdrant/js-client-rest"],
  ["src/core/probe.ts", "ioredis"],
  ["src/core/probe.ts", "openai"],
  ["src/core/probe.ts", "hono"],
  ["src/core/probe.ts", "pino"],
  ["src/core/text/probe.ts", "../../ports/parser.js"],
  ["src/core/text/probe.ts", "../../../package.json"],
  ["src/ports/probe.ts", "../adapters/embedder/local/local-hash-embedder.js"],
  ["src/ports/probe.ts", "../use-cases/retrieve.js"],
  ["src/ports/probe.ts", "bullmq"],
  ["src/use-cases/probe.ts", "../adapters/parser/parser-registry.js"],
  ["src/use-cases/probe.ts", "../config/schema.js"],
  ["src/use-cases/probe.ts", "../observability/metrics.js"],
  ["src/use-cases/probe.ts", "../wrappers/wrap-port.js"],
  ["src/use-cases/probe.ts", "../http/create-app.js"],
  ["src/use-cases/probe.ts", "openai"],
  ["src/use-cases/answer/probe.ts", "../../adapters/openai/openai-client.js"],
  ["src/wrappers/probe.ts", "../adapters/vector-store/lancedb/lancedb-vector-store.js"],
  ["src/wrappers/probe.ts", "../use-cases/retrieve.js"],
  ["src/wrappers/probe.ts", "ioredis"],
  ["src/wrappers/probe.ts", "node:fs/promises"],
  ["src/http/probe.ts", "../adapters/blob-store/file/file-blob-store.js"],
  ["src/http/probe.ts", "../compose/compose-runtime.js"],
  ["src/http/routes/probe.ts", "../../adapters/key-value/memory/memory-key-value.js"],
  ["src/adapters/embedder/local/probe.ts", "../../../wrappers/wrap-port.js"],
  ["src/adapters/embedder/local/probe.ts", "../../../compose/compose-runtime.js"],
  ["src/adapters/embedder/local/probe.ts", "../../../http/create-app.js"],
  ["src/observability/probe.ts", "../adapters/redis/redis-client.js"],
  ["src/config/probe.ts", "../adapters/redis/redis-client.js"],
  ["src/probe.ts", "./adapters/redis/redis-client.js"],
];

const LEGAL: Case[] = [
  ["src/core/probe.ts", "./errors.js"],
  ["src/core/probe.ts", "./text/decode-text.js"],
  ["src/core/text/probe.ts", "../errors.js"],
  ["src/core/probe.ts", "zod"],
  ["src/core/probe.ts", "uuid"],
  ["src/core/probe.ts", "node:crypto"],
  ["src/core/probe.ts", "gpt-tokenizer/encoding/cl100k_base"],
  ["src/core/probe.ts", "@langchain/textsplitters"],
  ["src/core/probe.ts", "file-type"],
  ["src/ports/probe.ts", "../core/errors.js"],
  ["src/ports/probe.ts", "./embedder.js"],
  ["src/use-cases/probe.ts", "../ports/embedder.js"],
  ["src/use-cases/probe.ts", "../core/errors.js"],
  ["src/use-cases/probe.ts", "./embedding-cache.js"],
  ["src/use-cases/answer/probe.ts", "../retrieve.js"],
  ["src/wrappers/probe.ts", "../ports/embedder.js"],
  ["src/wrappers/probe.ts", "../core/errors.js"],
  ["src/wrappers/probe.ts", "cockatiel"],
  ["src/http/probe.ts", "../use-cases/retrieve.js"],
  ["src/http/probe.ts", "../observability/metrics.js"],
  ["src/http/probe.ts", "hono"],
  ["src/adapters/embedder/local/probe.ts", "../../../core/errors.js"],
  ["src/adapters/embedder/local/probe.ts", "../../openai/openai-client.js"],
  ["src/adapters/embedder/local/probe.ts", "@lancedb/lancedb"],
  ["src/compose/probe.ts", "../adapters/parser/parser-registry.js"],
  ["src/compose/probe.ts", "../wrappers/wrap-port.js"],
  ["src/probe.ts", "./compose/compose-runtime.js"],
  // A unit test beside its code is not a room.
  ["src/core/probe.test.ts", "vitest"],
];

describe("ESLint guards the rooms (no-restricted-imports, eslint.config.js)", () => {
  let eslint: ESLint;
  beforeAll(() => {
    eslint = new ESLint({ cwd: PROJECT_ROOT });
  });

  const restrictedImports = async ([file, specifier]: Case, kind: "value" | "type") => {
    const code = kind === "type" ? `import type { A } from "${specifier}";\nexport type B = A;\n` : `import { a } from "${specifier}";\nexport const b = a;\n`;
    const [result] = await eslint.lintText(code, { filePath: join(PROJECT_ROOT, file) });
    expect(result!.messages.filter((message) => message.fatal)).toEqual([]);
    return result!.messages.filter((message) => message.ruleId === "no-restricted-imports");
  };

  it.each(VIOLATIONS)("%s may not import %s", async (file, specifier) => {
    expect(await restrictedImports([file, specifier], "value")).toHaveLength(1);
  });

  it.each(VIOLATIONS.filter(([, specifier]) => specifier.startsWith(".")))("%s may not import types from %s either", async (file, specifier) => {
    expect(await restrictedImports([file, specifier], "type")).toHaveLength(1);
  });

  it("catches re-exports too", async () => {
    const [result] = await eslint.lintText('export * from "../adapters/parser/parser-registry.js";\n', { filePath: join(PROJECT_ROOT, "src/ports/probe.ts") });
    expect(result!.messages.map((message) => message.ruleId)).toEqual(["no-restricted-imports"]);
  });

  it.each(LEGAL)("%s may import %s", async (file, specifier) => {
    expect(await restrictedImports([file, specifier], "value")).toEqual([]);
  });
});
