import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { describe, expect, it } from "vitest";
import type { AppEnv } from "../../../src/http/app-env.js";
import { handleError } from "../../../src/http/error-handler.js";
import { validationHook } from "../../../src/http/openapi-hook.js";
import { errorResponses, jsonContent } from "../../../src/http/openapi-schemas.js";

/** A route validated by zod-openapi itself (JSON body, query, path), as the query routes declare theirs. */
function createValidatedApp() {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  app.onError(handleError);
  const route = createRoute({
    method: "post",
    path: "/items/{id}",
    request: {
      params: z.object({ id: z.string().regex(/^[a-z]+$/) }),
      query: z.object({ verbose: z.enum(["yes", "no"]).optional() }),
      body: { required: true, content: jsonContent(z.strictObject({ name: z.string().min(1), tags: z.array(z.string()).max(2).optional() })) },
    },
    responses: { 200: { description: "ok", content: jsonContent(z.object({ id: z.string(), name: z.string() })) }, ...errorResponses(400, 415) },
  });
  app.openapi(route, (context) => context.json({ id: context.req.valid("param").id, name: context.req.valid("json").name }, 200));
  return app;
}

const post = (body: string, options: { path?: string; contentType?: string } = {}) =>
  createValidatedApp().request(options.path ?? "/items/abc", { method: "POST", headers: { "content-type": options.contentType ?? "application/json" }, body });

describe("validationHook and the error handler under zod-openapi validation", () => {
  it("passes a valid request through", async () => {
    const response = await post(JSON.stringify({ name: "kite" }));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ id: "abc", name: "kite" });
  });

  it("answers a schema violation with our 400 envelope naming each field path", async () => {
    const response = await post(JSON.stringify({ name: "", tags: ["a", "b", "c"], extra: 1 }));
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { code: string; message: string; details: { issues: Array<{ path: string }> } } };
    expect(body.error.code).toBe("validation_error");
    expect(body.error.message).toMatch(/^invalid request body: /);
    expect(body.error.details.issues.map((issue) => issue.path).sort()).toEqual(["", "name", "tags"]);
  });

  it("names path and query parameters by name", async () => {
    const badPath = await post(JSON.stringify({ name: "kite" }), { path: "/items/ABC" });
    expect(badPath.status).toBe(400);
    expect(await badPath.json()).toMatchObject({ error: { code: "validation_error", details: { issues: [{ path: "id" }] } } });
    const badQuery = await post(JSON.stringify({ name: "kite" }), { path: "/items/abc?verbose=maybe" });
    expect(await badQuery.json()).toMatchObject({
      error: { message: expect.stringMatching(/^invalid query parameters/), details: { issues: [{ path: "verbose" }] } },
    });
  });

  it("maps malformed JSON to a 400 validation_error and an undeclared content type to 415", async () => {
    const malformed = await post("{not json");
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ error: { code: "validation_error", details: { issues: [{ path: "" }] } }, request_id: null });
    const text = await post("name=kite", { contentType: "text/plain" });
    expect(text.status).toBe(415);
    expect(await text.json()).toMatchObject({ error: { code: "unsupported_media_type" } });
  });
});
