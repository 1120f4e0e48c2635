import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { OpenAPIHono } from "@hono/zod-openapi";
import { NotFoundError } from "../core/errors.js";
import type { AppEnv } from "./app-env.js";
import { OPENAPI_DOCUMENT_PATH } from "./openapi-document.js";

/** Paths of the API reference page (not API operations, so not in the OpenAPI document). */
export const API_DOCS_PATHS = ["/docs", "/docs/assets/:file"] as const;

// Swagger UI's files, served from the swagger-ui-dist package by this process: no CDN, works offline.
const ASSETS: Record<string, string> = {
  "swagger-ui.css": "text/css; charset=utf-8",
  "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
  "favicon-32x32.png": "image/png",
};

// The page's own script is a file too, so the Content-Security-Policy needs no inline script.
const INITIALIZER = `window.addEventListener("load", () => {
  window.ui = SwaggerUIBundle({ url: "${OPENAPI_DOCUMENT_PATH}", dom_id: "#api", deepLinking: true, persistAuthorization: false });
});
`;

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Ragline API reference</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css">
<link rel="icon" type="image/png" href="/docs/assets/favicon-32x32.png">
</head>
<body>
<div id="api"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/assets/initializer.js"></script>
</body>
</html>
`;

// Swagger UI sets style attributes and inline SVG/data images; scripts and connections stay same-origin.
const CONTENT_SECURITY_POLICY = "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'";

/** `GET /docs`: the OpenAPI document rendered by Swagger UI, its assets served from the npm package. */
export function serveApiDocs(app: OpenAPIHono<AppEnv>): void {
  const directory = dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));
  const cache = new Map<string, Uint8Array>();
  app.get("/docs", (context) => {
    context.header("Content-Security-Policy", CONTENT_SECURITY_POLICY);
    return context.html(PAGE);
  });
  app.get("/docs/assets/:file", async (context) => {
    const file = context.req.param("file");
    context.header("Content-Security-Policy", CONTENT_SECURITY_POLICY);
    context.header("Cache-Control", "public, max-age=3600");
    if (file === "initializer.js") return context.body(INITIALIZER, 200, { "Content-Type": "text/javascript; charset=utf-8" });
    const type = ASSETS[file];
    if (!type) throw new NotFoundError(`no docs asset ${file}`);
    let bytes = cache.get(file);
    if (!bytes) {
      bytes = new Uint8Array(await readFile(join(directory, file)));
      cache.set(file, bytes);
    }
    return context.body(bytes as Uint8Array<ArrayBuffer>, 200, { "Content-Type": type });
  });
}
