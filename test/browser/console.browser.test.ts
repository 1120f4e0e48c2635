import { mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, BrowserContext, Page, Route } from "playwright-core";
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
    // Both at once; whichever started is stopped in afterAll even when the other failed.
    const [started, launched] = await Promise.allSettled([
      startService({ DATA_DIR: join(directory, "data"), RAGLINE_CONFIG: join(directory, "ragline.yaml") }),
      launchChromium(),
    ]);
    if (started.status === "fulfilled") service = started.value;
    if (launched.status === "fulfilled") browser = launched.value;
    for (const outcome of [started, launched]) if (outcome.status === "rejected") throw outcome.reason;
    context = await browser!.newContext();
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
    expect((await fetch(`${service!.url}/console/assets/..%2Fbuild-options.ts`)).status).toBe(404);
    const slash = await fetch(`${service!.url}/console/`, { redirect: "manual" });
    expect([slash.status, slash.headers.get("location")]).toEqual([301, "/console"]);
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
      // A PNG (sniffed from its bytes): refused on its own, with the reason, in its own row.
      const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52]);
      transfer.items.add(new File([png], "photo.png", { type: "image/png" }));
      return transfer;
    }, KIWI_TEXT);
    await page.dispatchEvent("[data-testid=drop-zone]", "drop", { dataTransfer });
    const row = page.locator("li.file", { hasText: "kiwis.txt" });
    await expect.poll(() => row.locator(".outcome").textContent(), { timeout: 20_000 }).toMatch(/^indexed \(1 chunks\)$/);
    expect(await row.getAttribute("data-state")).toBe("done");
    expect(await row.locator("progress").evaluate((bar: HTMLProgressElement) => bar.value)).toBe(1);
    const refused = page.locator("li.file", { hasText: "photo.png" });
    expect(await refused.getAttribute("data-state")).toBe("error");
    expect(await refused.locator(".outcome").textContent()).toMatch(/^refused: .*image\/png.*\(HTTP 415\)$/);
    expect(await page.locator("#upload .status").textContent()).toBe("1 of 2 file(s) uploaded, 1 with errors.");

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

  it("works from the keyboard: a pane chosen with Tab and Enter, a question asked with Enter on the button", async () => {
    await page.goto(`${service!.url}/console#upload`);
    // From the key field (the first control), Tab walks the header, then the navigation in order.
    await page.getByLabel("API key").focus();
    const order: string[] = [];
    for (let step = 0; step < 5; step += 1) {
      await page.keyboard.press("Tab");
      order.push(await page.evaluate(() => `${document.activeElement?.tagName}:${document.activeElement?.textContent}`));
    }
    expect(order).toEqual(["BUTTON:Use key", "BUTTON:Forget key", "BUTTON:Upload", "BUTTON:Documents", "BUTTON:Ask"]);
    await page.keyboard.press("Enter");
    expect(await page.locator("#ask").isVisible()).toBe(true);
    expect(await page.evaluate(() => `${document.activeElement?.tagName}:${document.activeElement?.textContent}`)).toBe("H2:Ask"); // the pane's heading
    await page.keyboard.press("Tab");
    await page.keyboard.type("Do kiwis lay large eggs?");
    await page.keyboard.press("Tab"); // the explain checkbox
    await page.keyboard.press("Tab"); // the Ask button
    await page.keyboard.press("Enter");
    await expect.poll(() => page.locator("#answer").textContent(), { timeout: 10_000 }).toMatch(/egg/);
  });

  it("approves and corrects reviews (against a stand-in for the reviews API, which this branch does not have)", async () => {
    const review = (id: string, answer: string) => ({
      id,
      answer_id: `ans_${id}`,
      question: "Can kiwis fly?",
      answer,
      citations: [{ n: 1, document_id: "doc_1", snippet: "Kiwis are flightless birds" }],
      score: 0.42,
      reasons: ["sentence 1 unsupported"],
      judge_version: "judge.v1",
      prompt_version: "extractive.v1",
      state: "pending",
      corrected_answer: null,
      comment: null,
      created_at: "2026-11-27T10:00:00Z",
      decided_at: null,
      decided_by: null,
    });
    const decisions: Array<{ id: string; body: unknown; authorization: string | undefined }> = [];
    const reviewsApiStandIn = async (route: Route) => {
      const request = route.request();
      if (request.method() === "GET") {
        const reviews = [review("rev_a", "Kiwis can fly. [1]"), review("rev_b", `<img src=x onerror="window.__pwned=5"> [1]`)];
        return route.fulfill({ json: { reviews: reviews.filter((item) => !decisions.some((decision) => decision.id === item.id)), next_cursor: null } });
      }
      decisions.push({ id: request.url().split("/").pop()!, body: request.postDataJSON(), authorization: request.headers().authorization });
      return route.fulfill({ json: { ...review("rev_x", ""), state: "decided" } });
    };
    await page.route(/\/v1\/reviews(\/|\?|$)/, reviewsApiStandIn);
    try {
      await openPane("Reviews");
      const first = page.getByRole("article", { name: "Review rev_a" });
      await first.getByRole("button", { name: "Approve" }).click();
      await expect.poll(() => page.locator("#reviews .status").textContent()).toBe("Review rev_a: approve recorded.");
      const second = page.getByRole("article", { name: "Review rev_b" });
      expect(await second.locator(".answer-text").textContent()).toBe(`<img src=x onerror="window.__pwned=5"> [1]`);
      await second.getByLabel("Corrected answer").fill("Kiwis cannot fly. [1]");
      await second.getByLabel("Comment").fill("flightless");
      await second.getByRole("button", { name: "Save correction" }).click();
      await expect.poll(() => page.locator("#reviews").textContent()).toContain("No pending reviews.");
      expect(decisions).toEqual([
        { id: "rev_a", body: { action: "approve" }, authorization: `Bearer ${KEY}` },
        { id: "rev_b", body: { action: "correct", corrected_answer: "Kiwis cannot fly. [1]", comment: "flightless" }, authorization: `Bearer ${KEY}` },
      ]);
      expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    } finally {
      await page.unroute(/\/v1\/reviews(\/|\?|$)/, reviewsApiStandIn);
    }
  });

  it("deletes a document after confirmation", async () => {
    await openPane("Documents");
    const row = page.locator("#documents tbody tr", { hasText: "kiwis.txt" });
    await expect.poll(() => row.count()).toBe(1);
    page.once("dialog", (dialog) => void dialog.accept());
    await row.getByRole("button", { name: /^Delete / }).click();
    await expect.poll(() => page.locator("#documents .status").textContent()).toMatch(/^Deleted /);
    expect(await row.count()).toBe(0);
    await page.getByRole("button", { name: "Refresh" }).first().click();
    await expect.poll(() => page.locator("#documents caption").textContent()).toMatch(/ loaded document/);
    expect(await row.count()).toBe(0);
  });

  it("never put the key in a URL", () => {
    expect(requestedUrls.length).toBeGreaterThan(5);
    expect(requestedUrls.filter((url) => url.includes(KEY))).toEqual([]);
  });
});
