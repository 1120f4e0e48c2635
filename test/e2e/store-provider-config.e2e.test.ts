import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runServiceToExit } from "../helpers/service-process.js";

describe("contradictory store settings (real process)", () => {
  let directory: string;
  // Hermetic: an empty config file of its own, its own data directory, and no Qdrant URL inherited from the shell.
  const environment = () => ({
    RAGLINE_CONFIG: join(directory, "empty.yaml"),
    DATA_DIR: join(directory, "data"),
    PORT: "0",
    QDRANT_URL: "",
    RAGLINE_QDRANT_URL: "",
  });
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), "ragline-store-provider-"));
    await writeFile(join(directory, "empty.yaml"), "");
  });
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it("store.provider lancedb with QDRANT_URL set: exit code 1 and one line naming both keys", async () => {
    const result = await runServiceToExit({ ...environment(), RAGLINE_STORE_PROVIDER: "lancedb", QDRANT_URL: "http://127.0.0.1:6333" });
    expect(result.code).toBe(1);
    expect(result.output.trim().split("\n")).toEqual([
      "Invalid configuration: store.provider: is lancedb, but qdrant.url (QDRANT_URL) is set; unset qdrant.url or set store.provider to qdrant (from RAGLINE_STORE_PROVIDER; qdrant.url from QDRANT_URL)",
    ]);
  });

  it("store.provider qdrant without a URL: exit code 1 and one line naming both keys", async () => {
    const result = await runServiceToExit({ ...environment(), RAGLINE_STORE_PROVIDER: "qdrant" });
    expect(result.code).toBe(1);
    expect(result.output.trim().split("\n")).toEqual([
      "Invalid configuration: store.provider: is qdrant, but qdrant.url (QDRANT_URL) is not set; set qdrant.url or unset store.provider (from RAGLINE_STORE_PROVIDER)",
    ]);
  });
});
