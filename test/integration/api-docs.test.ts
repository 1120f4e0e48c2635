import { afterEach, describe, expect, it } from "vitest";
import { startTestRuntime, type TestRuntime } from "../helpers/test-runtime.js";

const runtimes: TestRuntime[] = [];
afterEach(async () => {
  await Promise.all(runtimes.splice(0).map((runtime) => runtime.close()));
});

describe("GET /docs (API reference served offline)", () => {
  it("serves the page, Swagger UI's assets from the npm package and a script pointing at /openapi.json, under a same-origin CSP", async () => {
    const test = await startTestRuntime({ auth: { apiKeys: [{ key: "docs-test-key-0123456789", tenant: "acme" }] } });
    runtimes.push(test);
    const page = await test.app.request("/docs");
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    expect(page.headers.get("content-security-policy")).toMatch(/default-src 'self'/);
    const html = await page.text();
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]!);
    expect(assets).toEqual([
      "/docs/assets/swagger-ui.css",
      "/docs/assets/favicon-32x32.png",
      "/docs/assets/swagger-ui-bundle.js",
      "/docs/assets/initializer.js",
    ]);
    expect(html).not.toMatch(/https?:\/\//);
    for (const asset of assets) {
      const response = await test.app.request(asset);
      expect(response.status, asset).toBe(200);
      expect((await response.arrayBuffer()).byteLength, asset).toBeGreaterThan(10);
    }
    const bundle = await (await test.app.request("/docs/assets/swagger-ui-bundle.js")).text();
    expect(bundle).toContain("SwaggerUIBundle");
    expect(await (await test.app.request("/docs/assets/initializer.js")).text()).toContain('url: "/openapi.json"');
    expect((await test.app.request("/docs/assets/package.json")).status).toBe(404);
    expect((await test.app.request("/docs/assets/..%2Fpackage.json")).status).toBe(404);
    // The page needs no key (the document it renders is public too); the API behind it does.
    expect((await test.app.request("/openapi.json")).status).toBe(200);
  });
});
