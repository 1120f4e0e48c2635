import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type AddressInfo, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runServiceToExit } from "../helpers/service-process.js";

describe("a port already in use (real process)", () => {
  let directory = "";
  let holder: Server | undefined;
  afterAll(async () => {
    await new Promise((resolve) => (holder ? holder.close(resolve) : resolve(undefined)));
    if (directory) await rm(directory, { recursive: true, force: true });
  });

  it("exits 1 with one line naming the port, not a stack trace", async () => {
    directory = await mkdtemp(join(tmpdir(), "ragline-port-"));
    await writeFile(join(directory, "empty.yaml"), "");
    holder = createServer();
    const port = await new Promise<number>((resolve) => holder!.listen(0, "127.0.0.1", () => resolve((holder!.address() as AddressInfo).port)));
    const result = await runServiceToExit({
      RAGLINE_CONFIG: join(directory, "empty.yaml"),
      DATA_DIR: join(directory, "data"),
      HOST: "127.0.0.1",
      PORT: String(port),
      LOG_LEVEL: "silent",
    });
    expect(result.code).toBe(1);
    expect(result.output.trim().split("\n")).toEqual([`Refusing to start: port ${port} on 127.0.0.1 is already in use (set PORT or server.port)`]);
  }, 60_000);
});
