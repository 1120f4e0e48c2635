import { mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startService, type ServiceProcess } from "../helpers/service-process.js";
import { browserSkipReason, keepScreenshot, launchChromium } from "./chromium.js";

// The web console in headless Chromium against the real service (embedded mode, its own data
// directory, auth on): upload, indexing, a streamed answer with highlighted citations, explain,
// failed jobs with retry, reviews, usage, and untrusted document text that must never run.

const KEY = "console-tenant-key-0123456789abc";
const KIWI_TEXT = "Kiwis are flightless birds native to New Zealand. A kiwi lays a very large egg for the size of its body.\n";
const PAYLOAD = `Tuatara notes. <img src=x onerror="window.__pwned=1"> and <script>window.__pwned=2</script> Tuatara are reptiles endemic to New Zealand.\n`;
const HOSTILE_NAME = `<img src=x onerror=window.__pwned=3>.txt`;

describe.skipIf(browserSkipReason !== null)(`web console in headless Chromium${browserSkipReason ? ` (skipped: ${browserSkipReason})` : ""}`, () => {
  let directory = "";
  let service: ServiceProcess | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext;
  let page: Page;
  const requestedUrls: string[] = [];

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), "ragline-console-"));
    await writeFile(join(directory, "ragline.yaml"), `auth:\n  apiKeys:\n    - { key: ${KEY}, tenant: acme }\n`);
    [service, browser] = await Promise.all([
      startService({ DATA_DIR: join(directory, "data"), RAGLINE_CONFIG: join(directory, "ragline.yaml") }),
      launchChromium(),
    ]);
    context = await browser.newContext();
    // Runs before the page's own scripts (and outside its CSP): records every CSP violation the page reports.
    await context.addInitScript(() => {
      const record = window as unknown as { __violations: string[] };
      record.__violations = [];
      document.addEventListener("securitypolicyviolation", (event) => record.__violations.push(`${event.violatedDirective}: ${event.sample}`));
    });
    page = await context.newPage();
    page.on("request", (request) => requestedUrls.push(request.url()));
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await service?.stop();
    if (directory) await rm(directory, { recursive: true, force: true });
  });

  const openPane = async (label: string) => {
    await page.getByRole("navigation", { name: "Console" }).getByRole("button", { name: label, exact: true }).click();
  };
  const ask = async (question: string) => {
    await openPane("Ask");
    await page.getByLabel("Question").fill(question);
    await page.locator("#ask").getByRole("button", { name: "Ask", exact: true }).click();
    await expect.poll(() => page.locator("#ask .status").textContent(), { timeout: 10_000 }).toMatch(/answered|refused|degraded|failed/);
  };

  it("serves the page with Content-Security-Policy default-src 'self' and no inline script or style", async () => {
    const response = await fetch(`${service!.url}/console`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-security-policy")).toMatch(/^default-src 'self'(;|$)/);
    const html = await response.text();
    expect(html).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/i);
    expect(html).not.toMatch(/<style|\sstyle=|\son\w+=/i);
    expect((await fetch(`${service!.url}/console/assets/console.js`)).headers.get("content-type")).toMatch(/^text\/javascript/);
    expect((await fetch(`${service!.url}/console/assets/secrets.txt`)).status).toBe(404);
  });

  it("asks for the key, keeps it in session storage and sends it as a header, never in a URL", async () => {
    await page.goto(`${service!.url}/console#documents`);
    await expect.poll(() => page.locator("#documents .status").textContent()).toMatch(/missing API key.*HTTP 401/);
    await page.getByLabel("API key").fill(KEY);
    const listed = page.waitForRequest((request) => request.url().includes("/v1/documents") && request.headers().authorization === `Bearer ${KEY}`);
    await page.getByRole("button", { name: "Use key" }).click();
    await listed;
    expect(await page.evaluate(() => sessionStorage.getItem("ragline.apiKey"))).toBe(KEY);
    await expect.poll(() => page.locator("#documents").textContent()).toContain("No documents yet");
  });

  it("uploads by drag and drop, shows the file indexed, and lists it with its status", async () => {
    await openPane("Upload");
    const dataTransfer = await page.evaluateHandle((text) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([text], "kiwis.txt", { type: "text/plain" }));
      return transfer;
    }, KIWI_TEXT);
    await page.dispatchEvent("[data-testid=drop-zone]", "drop", { dataTransfer });
    const row = page.locator("li.file", { hasText: "kiwis.txt" });
    await expect.poll(() => row.locator(".outcome").textContent(), { timeout: 20_000 }).toMatch(/^indexed \(1 chunks\)$/);
    expect(await row.getAttribute("data-state")).toBe("done");
    expect(await row.locator("progress").evaluate((bar: HTMLProgressElement) => bar.value)).toBe(1);

    await openPane("Documents");
    const documentRow = page.locator("#documents tbody tr", { hasText: "kiwis" });
    await expect.poll(() => documentRow.textContent()).toContain("indexed");
    // The filters: a status that does not match hides it, text that matches keeps it.
    await page.getByLabel("Status").selectOption("failed");
    expect(await documentRow.count()).toBe(0);
    await page.getByLabel("Status").selectOption("indexed");
    await page.getByLabel("Text").fill("KIWI");
    expect(await documentRow.count()).toBe(1);
    await page.getByLabel("Text").fill("no such title");
    expect(await documentRow.count()).toBe(0);
    await page.getByLabel("Text").fill("");
    await page.getByLabel("Status").selectOption("");
  });

  it("streams the answer into a live region and highlights each citation in its source chunk", async () => {
    await ask("Are kiwis flightless birds?");
    expect(await page.locator("#ask .status").textContent()).toMatch(/^answered/);
    const answer = page.locator("#answer");
    expect(await answer.getAttribute("aria-live")).toBe("polite");
    expect(await answer.textContent()).toContain("flightless");
    const citation = page.locator("#ask .citation").first();
    const chunk = citation.locator("blockquote.chunk");
    // The chunk is shown whole (the document is one chunk) and the cited range is the <mark>.
    expect((await chunk.textContent())?.trim()).toBe(KIWI_TEXT.trim());
    const marked = await chunk.locator("mark").textContent();
    expect(marked).toBeTruthy();
    expect(KIWI_TEXT).toContain(marked!);
    expect(marked).toMatch(/flightless/);
    // explain: every stage with its thresholds.
    const fact = (term: string) =>
      page
        .locator("#ask .facts dt", { hasText: new RegExp(`^${term}$`) })
        .locator("xpath=following-sibling::dd[1]")
        .textContent();
    expect(await fact("min_score")).toBe("0.3 on scores.relevance");
    expect(await fact("top_k")).toBe("5");
    expect(await page.getByRole("table", { name: "Every candidate in fused order" }).locator("tbody tr").count()).toBeGreaterThan(0);
    const screenshot = await keepScreenshot(page, "console-ask");
    expect((await stat(screenshot)).size).toBeGreaterThan(10_000);
  });

  it("renders a document holding <img onerror> and <script> as text: nothing runs, nothing is even blocked", async () => {
    await openPane("Upload");
    await page.setInputFiles("#upload-files", { name: HOSTILE_NAME, mimeType: "text/plain", buffer: Buffer.from(PAYLOAD) });
    const row = page.locator("li.file").first();
    await expect.poll(() => row.locator(".outcome").textContent(), { timeout: 20_000 }).toMatch(/^indexed/);
    expect(await row.locator(".file-name").textContent()).toBe(HOSTILE_NAME);

    await openPane("Documents");
    await expect.poll(() => page.locator("#documents tbody").textContent()).toContain("<img src=x onerror=window.__pwned=3>");

    await ask("What are tuatara?");
    const chunk = page.locator("#ask .citation blockquote.chunk").first();
    expect(await chunk.textContent()).toContain(`<img src=x onerror="window.__pwned=1"> and <script>window.__pwned=2</script>`);
    await keepScreenshot(page, "console-untrusted-text");

    const outcome = await page.evaluate(() => ({
      pwned: (window as unknown as { __pwned?: number }).__pwned,
      images: document.querySelectorAll("img").length,
      inlineScripts: document.querySelectorAll("script:not([src])").length,
      violations: (window as unknown as { __violations: string[] }).__violations,
    }));
    expect(outcome).toEqual({ pwned: undefined, images: 0, inlineScripts: 0, violations: [] });

    // Control: the policy itself blocks an inline handler that does reach the DOM as markup.
    await page.evaluate(() => document.body.insertAdjacentHTML("beforeend", `<img src="x" onerror="window.__pwned=4">`));
    await expect.poll(() => page.evaluate(() => (window as unknown as { __violations: string[] }).__violations.length)).toBeGreaterThan(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  });

  it("lists a failed job and retries it", async () => {
    await openPane("Upload");
    await page.setInputFiles("#upload-files", { name: "broken.pdf", mimeType: "application/pdf", buffer: Buffer.from("%PDF-1.7\n1 0 obj\nbroken") });
    const row = page.locator("li.file", { hasText: "broken.pdf" });
    await expect.poll(() => row.getAttribute("data-state"), { timeout: 20_000 }).toBe("error");
    expect(await row.locator(".outcome").textContent()).toMatch(/^(failed|refused): /);

    await openPane("Jobs");
    const retry = page.getByRole("button", { name: /^Retry job / }).first();
    await retry.waitFor({ timeout: 10_000 });
    await retry.click();
    await expect.poll(() => page.locator("#jobs .status").textContent()).toMatch(/queued again/);
  });

  it("shows usage by day and model, and the reviews pane (or that this server has none)", async () => {
    const usage = page.waitForResponse((response) => response.url().includes("/v1/usage?group_by=day%2Cmodel"));
    await openPane("Usage");
    expect((await usage).status()).toBe(200);
    await expect.poll(() => page.locator("#usage").textContent()).toMatch(/Usage from .* to |No model calls/);

    const reviewsRoute = await fetch(`${service!.url}/v1/reviews?state=pending`, { headers: { authorization: `Bearer ${KEY}` } });
    await openPane("Reviews");
    const expected = reviewsRoute.status === 404 ? "Reviews are not available on this server." : "No pending reviews.";
    await expect.poll(() => page.locator("#reviews").textContent()).toContain(expected);
  });

  it("never put the key in a URL", () => {
    expect(requestedUrls.length).toBeGreaterThan(5);
    expect(requestedUrls.filter((url) => url.includes(KEY))).toEqual([]);
  });
});
