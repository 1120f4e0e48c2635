import { fileURLToPath } from "node:url";
import type { BuildOptions } from "esbuild";

/** The console's entry (browser code) and its built bundle, served by src/http/console/serve-console.ts. */
export const CONSOLE_ENTRY = fileURLToPath(new URL("./main.ts", import.meta.url));
export const CONSOLE_BUNDLE = fileURLToPath(new URL("./static/console.js", import.meta.url));

/** How the bundle is built (`npm run build:console`); the bundle freshness test builds with the same options. */
export const CONSOLE_BUILD_OPTIONS: BuildOptions = {
  entryPoints: [CONSOLE_ENTRY],
  bundle: true,
  minify: true,
  format: "esm",
  target: ["es2022", "chrome111", "firefox113", "safari16"],
  legalComments: "none",
  charset: "utf8",
};
