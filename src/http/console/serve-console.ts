import { readFile } from "node:fs/promises";
import type { OpenAPIHono } from "@hono/zod-openapi";
import { NotFoundError } from "../../core/errors.js";
import type { AppEnv } from "../app-env.js";

/** Paths of the web console (a page and its static files, not API operations, so not in the OpenAPI document). */
export const CONSOLE_PATHS = ["/console", "/console/", "/console/assets/:file"] as const;

/**
 * Scripts, styles, images and connections only from this origin: no inline script or style, so
 * markup that slipped into the page could not run. The console renders document text as text nodes
 * only; this is the second line of defence.
 */
export const CONSOLE_CONTENT_SECURITY_POLICY = "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

// The built console (src/console/static, committed; `npm run build:console` rebuilds console.js).
const STATIC_DIRECTORY = new URL("../../console/static/", import.meta.url);
const ASSETS: Record<string, string> = {
  "console.js": "text/javascript; charset=utf-8",
  "console.css": "text/css; charset=utf-8",
};

const SECURITY_HEADERS = {
  "Content-Security-Policy": CONSOLE_CONTENT_SECURITY_POLICY,
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
  // Not content-hashed: revalidate so an upgraded server never runs an old bundle.
  "Cache-Control": "no-cache",
};

/**
 * `GET /console`: the web console page, and `GET /console/assets/{file}` its script and styles, all
 * read from src/console/static (once, then kept in memory) and served with a strict
 * Content-Security-Policy. The page needs no key; the browser sends the user's key with each API call.
 */
export function serveConsole(app: OpenAPIHono<AppEnv>): void {
  const cache = new Map<string, Promise<Uint8Array<ArrayBuffer>>>();
  const load = (file: string) => {
    let bytes = cache.get(file);
    if (!bytes) {
      bytes = readFile(new URL(file, STATIC_DIRECTORY)).then((buffer) => new Uint8Array(buffer));
      bytes.catch(() => cache.delete(file));
      cache.set(file, bytes);
    }
    return bytes;
  };
  app.get("/console", async (context) => context.body(await load("index.html"), 200, { ...SECURITY_HEADERS, "Content-Type": "text/html; charset=utf-8" }));
  // The page's asset URLs are absolute, but a bookmarked /console/ should still land on it.
  app.get("/console/", (context) => context.redirect("/console", 301));
  app.get("/console/assets/:file", async (context) => {
    const file = context.req.param("file");
    const type = ASSETS[file];
    if (!type) throw new NotFoundError(`no console asset ${file}`);
    return context.body(await load(file), 200, { ...SECURITY_HEADERS, "Content-Type": type });
  });
}
