import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CliError } from "../../../src/cli/api-client.js";
import { collectFiles } from "../../../src/cli/collect-files.js";

describe("collectFiles (ragline ingest's paths)", () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "ragline-collect-"));
    for (const file of ["a/x.md", "a/b/y.md", "a/b/z.txt", "c.txt", ".hidden/w.md", "node_modules/pkg/v.md"]) {
      await mkdir(join(root, file, ".."), { recursive: true });
      await writeFile(join(root, file), file);
    }
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it("walks folders recursively, skipping hidden entries and node_modules, each file once", async () => {
    expect(await collectFiles([root, join(root, "c.txt")])).toEqual(["a/b/y.md", "a/b/z.txt", "a/x.md", "c.txt"].map((file) => join(root, file)));
  });

  it("matches a glob the shell left unexpanded, without hidden entries or node_modules", async () => {
    expect(await collectFiles([join(root, "**/*.md")])).toEqual(["a/b/y.md", "a/x.md"].map((file) => join(root, file)));
    expect(await collectFiles([join(root, "a/*")])).toEqual(["a/b/y.md", "a/b/z.txt", "a/x.md"].map((file) => join(root, file)));
  });

  it("refuses a path that does not exist and a pattern that matches nothing, as usage errors", async () => {
    await expect(collectFiles([join(root, "missing.md")])).rejects.toThrow(/no such file or folder/);
    const error = await collectFiles([join(root, "**/*.pdf")]).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).exitCode).toBe(2);
    expect((error as CliError).message).toMatch(/no file matches/);
  });
});
