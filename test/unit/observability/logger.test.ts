import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../../src/observability/logger.js";

function capture(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  let text = "";
  stream.on("data", (chunk) => (text += String(chunk)));
  return { stream, text: () => text };
}

describe("createLogger", () => {
  it("writes one JSON object per line by default, credentials redacted", () => {
    const out = capture();
    createLogger({ level: "info", destination: out.stream }).info({ apiKey: "sk-secret", documentId: "d1" }, "indexed");
    const line = JSON.parse(out.text().trim()) as Record<string, unknown>;
    expect(line).toMatchObject({ msg: "indexed", documentId: "d1", apiKey: "[redacted]" });
  });

  it("LOG_FORMAT=pretty writes readable lines for a terminal, still redacted", () => {
    const out = capture();
    createLogger({ level: "info", format: "pretty", destination: out.stream }).info({ apiKey: "sk-secret", documentId: "d1" }, "indexed");
    const text = out.text();
    expect(text).toMatch(/INFO.*indexed/);
    expect(text).toContain('documentId: "d1"');
    expect(text).not.toContain("sk-secret");
    expect(() => JSON.parse(text.trim())).toThrow();
  });
});
