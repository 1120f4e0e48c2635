import { API_DOCS_PATHS } from "../../src/http/api-docs.js";
import { CONSOLE_PATHS } from "../../src/http/console/serve-console.js";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/http/create-app.js";
import { OPENAPI_DOCUMENT_PATH } from "../../src/http/openapi-document.js";
import { jsonRequest, startTestRuntime, type TestRuntime } from "../helpers/test-runtime.js";
import { waitFor } from "../helpers/wait-for.js";

interface MediaType {
  schema?: unknown;
  example?: unknown;
}
interface Operation {
  parameters?: Array<{ name: string; in: string; required?: boolean }>;
  requestBody?: { content?: Record<string, MediaType> };
  responses?: Record<string, { description?: string; content?: Record<string, MediaType> }>;
}
interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, Operation>>;
  components?: Record<string, Record<string, unknown>>;
}

const METHODS = ["get", "put", "post", "delete", "patch", "head", "options", "trace"];

describe("GET /openapi.json", () => {
  let test: TestRuntime;
  let document: OpenApiDocument;
  beforeAll(async () => {
    test = await startTestRuntime();
    const response = await test.app.request(OPENAPI_DOCUMENT_PATH);
    expect(response.status).toBe(200);
    document = (await response.json()) as OpenApiDocument;
  });
  afterAll(async () => {
    await test.close();
  });

  it("describes every registered route with its method", () => {
    const registered = registeredRoutes(test.app);
    expect(registered.size).toBeGreaterThanOrEqual(9);
    expect(undocumented(registered, document)).toEqual([]);
    expect(document.paths["/v1/query"]?.post).toBeDefined();
    // Nothing documented that the app does not serve.
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const method of Object.keys(operations).filter((key) => METHODS.includes(key))) expect(registered.has(`${method} ${path}`)).toBe(true);
    }
  });

  it("catches a route added without a schema", async () => {
    const app = createApp(test.runtime.deps);
    app.get("/v1/documents/:id/undeclared", (context) => context.text("not in the document"));
    app.all("/v1/anything", (context) => context.text("neither"));
    const fresh = (await (await app.request(OPENAPI_DOCUMENT_PATH)).json()) as OpenApiDocument;
    expect(() => registeredRoutes(app)).toThrow(/ALL \/v1\/anything/);
    const withoutAll = { routes: app.routes.filter((route) => route.path !== "/v1/anything") };
    expect(undocumented(registeredRoutes(withoutAll), fresh)).toContainEqual({ method: "get", path: "/v1/documents/{id}/undeclared" });
  });

  it("is a valid OpenAPI 3.1 document whose schemas compile", () => {
    expect(document.openapi).toMatch(/^3\.1\.\d+$/);
    expect(document.info.title).toBe("Ragline");
    expect(typeof document.info.version).toBe("string");
    const ajv = documentValidator(document);
    for (const [path, operations] of Object.entries(document.paths)) {
      expect(path.startsWith("/")).toBe(true);
      for (const [method, operation] of Object.entries(operations)) {
        expect(METHODS).toContain(method);
        const responses = Object.entries(operation.responses ?? {});
        expect(responses.length, `${method} ${path} has responses`).toBeGreaterThan(0);
        for (const [status, response] of responses) {
          expect(status).toMatch(/^[1-5]\d\d$/);
          expect(response.description, `${method} ${path} ${status} has a description`).toBeTruthy();
        }
        // Every {param} in the path is a required path parameter, and no other path parameter exists.
        const inPath = [...path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]);
        const declared = (operation.parameters ?? []).filter((parameter) => parameter.in === "path");
        expect(declared.map((parameter) => parameter.name).sort()).toEqual(inPath.sort());
        expect(declared.every((parameter) => parameter.required === true)).toBe(true);
      }
    }
    for (const name of Object.keys(document.components?.schemas ?? {})) {
      expect(() => ajv.getSchema(`openapi.json#/components/schemas/${name}`), name).not.toThrow();
    }
    // Every reference points at something that exists.
    const references = JSON.stringify(document).match(/"\$ref":"[^"]+"/g) ?? [];
    for (const reference of references) {
      const pointer = reference.slice('"$ref":"#/'.length, -1).split("/");
      let target: unknown = document;
      for (const segment of pointer) target = (target as Record<string, unknown> | undefined)?.[segment];
      expect(target, reference).toBeDefined();
    }
  });

  it("declares the error envelope, and the responses the routes send match their schemas", async () => {
    const ajv = documentValidator(document);
    const check = async (method: string, path: string, response: Response, documentedPath = path) => {
      const status = String(response.status);
      const declared = document.paths[documentedPath]?.[method.toLowerCase()]?.responses?.[status];
      expect(declared, `${method} ${documentedPath} declares ${status}`).toBeDefined();
      const pointer = `openapi.json#/paths/${documentedPath.replaceAll("~", "~0").replaceAll("/", "~1")}/${method.toLowerCase()}/responses/${status}/content/application~1json/schema`;
      if (response.status === 204) return;
      const validate = ajv.getSchema(pointer);
      expect(validate, pointer).toBeDefined();
      const body = await response.json();
      expect(validate!(body), `${method} ${path} ${status}: ${JSON.stringify(validate!.errors)}`).toBe(true);
      return body as Record<string, any>;
    };

    const created = await check(
      "POST",
      "/v1/documents",
      await test.app.request("/v1/documents", jsonRequest("POST", { text: "Otters hold hands while they sleep." })),
    );
    const id = created!.documents[0].id as string;
    await waitFor(async () => ((await (await test.app.request(`/v1/documents/${id}`)).json()) as { status: string }).status === "indexed", "indexing");
    const documentPath = "/v1/documents/{id}";
    const read = await check("GET", `/v1/documents/${id}`, await test.app.request(`/v1/documents/${id}`), documentPath);
    expect(read!.job).not.toBeNull();
    await check("POST", "/v1/documents", await test.app.request("/v1/documents", jsonRequest("POST", { text: "Otters hold hands while they sleep." })));
    await check("GET", "/v1/documents", await test.app.request("/v1/documents?limit=5"));
    await check("GET", "/v1/jobs/{id}", await test.app.request(`/v1/jobs/${read!.job_id}`));
    await check("GET", "/v1/jobs", await test.app.request("/v1/jobs?state=failed"));
    await check("POST", "/v1/query", await test.app.request("/v1/query", jsonRequest("POST", { question: "What do otters hold?", mode: "retrieve" })));
    const answered = await check("POST", "/v1/query", await test.app.request("/v1/query", jsonRequest("POST", { question: "What do otters hold?" })));
    const feedbackPath = "/v1/answers/{id}/feedback";
    const feedback = jsonRequest("POST", { rating: "down", corrected_answer: "Each other's hands." });
    const given = await check("POST", feedbackPath, await test.app.request(`/v1/answers/${answered!.answer_id}/feedback`, feedback), feedbackPath);
    await check("POST", feedbackPath, await test.app.request("/v1/answers/ans_unknown/feedback", feedback), feedbackPath);
    await check("GET", "/v1/reviews", await test.app.request("/v1/reviews?state=approved&limit=5"));
    await check("POST", "/v1/reviews/{id}", await test.app.request("/v1/reviews/rev_unknown", jsonRequest("POST", { action: "approve" })));
    await check("DELETE", "/v1/feedback/{id}", await test.app.request(`/v1/feedback/${given!.id}`, { method: "DELETE" }));
    await check("POST", "/v1/query", await test.app.request("/v1/query", jsonRequest("POST", { question: "" })));
    await check("GET", "/healthz", await test.app.request("/healthz"));
    await check("GET", "/readyz", await test.app.request("/readyz"));

    await check("GET", "/v1/jobs", await test.app.request("/v1/jobs?state=completed&limit=1"));
    const invalid = await check("GET", "/v1/jobs", await test.app.request("/v1/jobs?state=stuck"));
    expect(invalid!.error).toMatchObject({ code: "validation_error", details: { issues: [{ path: "state" }] } });
    const badId = await check("PUT", "/v1/documents/{id}", await test.app.request("/v1/documents/bad%20id", jsonRequest("PUT", { text: "x" })));
    expect(badId!.error.details.issues).toEqual([expect.objectContaining({ path: "id" })]);
    await check("GET", "/v1/jobs/{id}", await test.app.request("/v1/jobs/ingest:nope:1"));
    const patched = await check("PATCH", documentPath, await test.app.request(`/v1/documents/${id}`, jsonRequest("PATCH", { metadata: { kind: "fact" } })));
    expect(patched!.metadata).toEqual({ kind: "fact" });
    await check("GET", "/v1/batches/{id}", await test.app.request(`/v1/batches/${created!.batch_id}`));
    await check("GET", "/v1/batches/{id}", await test.app.request("/v1/batches/batch_unknown"));
    const bulk = await test.app.request("/v1/documents", jsonRequest("POST", { documents: [{ text: "Seals nap on rocks." }, { text: "" }] }));
    await check("POST", "/v1/documents", bulk);
    await check("DELETE", "/v1/documents/{id}", await test.app.request(`/v1/documents/${id}`, { method: "DELETE" }));
    await check("DELETE", "/v1/documents/{id}", await test.app.request(`/v1/documents/${id}`, { method: "DELETE" }));
    await check("POST", "/v1/documents", await test.app.request("/v1/documents", { method: "POST", headers: { "content-type": "text/csv" }, body: "a,b" }));
  });

  it("gives every JSON request body and response an example that its own schema accepts", () => {
    const ajv = documentValidator(document);
    const missing: string[] = [];
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        const escaped = path.replaceAll("~", "~0").replaceAll("/", "~1");
        const bodies: Array<[string, string, MediaType | undefined]> = [
          ["request", `requestBody/content/application~1json`, operation.requestBody?.content?.["application/json"]],
          ...Object.entries(operation.responses ?? {}).map(([status, response]): [string, string, MediaType | undefined] => [
            status,
            `responses/${status}/content/application~1json`,
            response.content?.["application/json"],
          ]),
        ];
        for (const [what, pointer, media] of bodies) {
          if (!media) continue;
          const example = media.example ?? exampleOf(document, media.schema);
          if (example === undefined) {
            missing.push(`${method} ${path} ${what}`);
            continue;
          }
          const validate = ajv.getSchema(`openapi.json#/paths/${escaped}/${method}/${pointer}/schema`)!;
          expect(validate(example), `${method} ${path} ${what} example: ${JSON.stringify(validate.errors)}`).toBe(true);
        }
      }
    }
    expect(missing).toEqual([]);
  });

  it("requires an API key in the document only when keys are configured", async () => {
    expect((document as unknown as { security: unknown[] }).security).toEqual([]);
    const secured = await startTestRuntime({ auth: { apiKeys: [{ key: "test-key-0123456789abcdef", tenant: "acme" }] } });
    try {
      const response = await secured.app.request(OPENAPI_DOCUMENT_PATH);
      const securedDocument = (await response.json()) as OpenApiDocument & { security: unknown[] };
      expect(securedDocument.security).toEqual([{ bearerKey: [] }, { headerKey: [] }]);
      expect(Object.keys(securedDocument.components?.securitySchemes ?? {}).sort()).toEqual(["bearerKey", "headerKey"]);
      expect((securedDocument.paths["/healthz"]!.get as { security?: unknown[] }).security).toEqual([]);
      expect((await secured.app.request("/v1/documents")).status).toBe(401);
    } finally {
      await secured.close();
    }
  });
});

/** Method and OpenAPI path (`:id` → `{id}`) of every route the app serves, except the document itself; throws on an ALL route that is not middleware. */
function registeredRoutes(app: { routes: ReadonlyArray<{ method: string; path: string }> }): Map<string, { method: string; path: string }> {
  const registered = new Map<string, { method: string; path: string }>();
  for (const route of app.routes) {
    // Middleware is registered as ALL on a wildcard path; an ALL handler on a real path would be a route nobody documented.
    if (route.method === "ALL") {
      if (!route.path.endsWith("*")) throw new Error(`ALL ${route.path} is a route, not middleware: declare it per method with createRoute`);
      continue;
    }
    if (route.path === OPENAPI_DOCUMENT_PATH || ([...API_DOCS_PATHS, ...CONSOLE_PATHS] as readonly string[]).includes(route.path)) continue;
    const path = route.path.replace(/:([A-Za-z0-9_]+)/g, "{$1}");
    const method = route.method.toLowerCase();
    registered.set(`${method} ${path}`, { method, path });
  }
  return registered;
}

function undocumented(registered: Map<string, { method: string; path: string }>, document: OpenApiDocument): Array<{ method: string; path: string }> {
  return [...registered.values()].filter(({ method, path }) => !document.paths[path]?.[method]);
}

/** The example a schema carries, looking through a `$ref` to its component. */
function exampleOf(document: OpenApiDocument, schema: unknown): unknown {
  const node = schema as { example?: unknown; $ref?: string } | undefined;
  if (node?.example !== undefined || !node?.$ref) return node?.example;
  const name = node.$ref.replace("#/components/schemas/", "");
  return exampleOf(document, document.components?.schemas?.[name]);
}

/** Ajv over the whole document, so `#/components/...` references resolve from any schema in it. */
function documentValidator(document: OpenApiDocument): Ajv2020 {
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  addFormats.default(ajv);
  ajv.addFormat("binary", true);
  for (const keyword of ["example", "openapi", "info", "paths", "components", "security", "tags", "servers", "webhooks"]) ajv.addKeyword(keyword);
  ajv.addSchema(document, "openapi.json");
  return ajv;
}
