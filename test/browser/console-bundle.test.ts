import { readFile } from "node:fs/promises";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";
import { CONSOLE_BUILD_OPTIONS, CONSOLE_BUNDLE } from "../../src/console/build-options.js";

// The console's bundle is committed (so `npm start` from a fresh clone, or the production image
// built with --omit=dev, serves it with no build step); this proves it matches the sources.
describe("web console bundle", () => {
  it("is what `npm run build:console` builds from src/console now", async () => {
    const result = await build({ ...CONSOLE_BUILD_OPTIONS, write: false, outfile: CONSOLE_BUNDLE });
    const fresh = result.outputFiles[0]?.text;
    const committed = await readFile(CONSOLE_BUNDLE, "utf8");
    expect(fresh, "src/console/static/console.js is stale: run npm run build:console and commit it").toBe(committed);
  });

  it("never parses strings as HTML and never evaluates code", async () => {
    const committed = await readFile(CONSOLE_BUNDLE, "utf8");
    expect(committed).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function/);
  });
});
