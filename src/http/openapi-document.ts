import type { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "./app-env.js";

/** Where the document is served; it describes every other route. */
export const OPENAPI_DOCUMENT_PATH = "/openapi.json";

/**
 * Serves `GET /openapi.json`: the OpenAPI 3.1 document generated from the zod schemas of every
 * route mounted on `app` so far (call it last). With API keys configured, every operation
 * requires one (Bearer or X-API-Key) unless its route says otherwise (the operations endpoints).
 */
export function serveOpenApiDocument(app: OpenAPIHono<AppEnv>, options: { authRequired: boolean }): void {
  app.openAPIRegistry.registerComponent("securitySchemes", "bearerKey", {
    type: "http",
    scheme: "bearer",
    description: "An API key as `Authorization: Bearer <key>`",
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "headerKey", { type: "apiKey", in: "header", name: "X-API-Key" });
  let document: unknown;
  app.get(OPENAPI_DOCUMENT_PATH, (context) => {
    // Routes are fixed once the app is built, so the document is generated once.
    document ??= app.getOpenAPI31Document({
      openapi: "3.1.0",
      info: {
        title: "Ragline",
        version: "v1",
        description: "Upload documents, ask questions, get answers grounded in them with citations. Errors: `{error: {code, message, details}, request_id}`.",
      },
      security: options.authRequired ? [{ bearerKey: [] }, { headerKey: [] }] : [],
    });
    return context.json(document);
  });
}
