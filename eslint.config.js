// Lint rules: ESLint's and typescript-eslint's recommended sets, plus the house rules of DESIGN.md.
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import prettier from "eslint-config-prettier";

// Rooms (DESIGN.md): which src/ folders each room may import. Relative imports are checked by how
// far they climb: from a file d folders inside src/<room>/, a path starting with d times "../" has
// left the room and must land in an allowed room.
const ALL_ROOMS = ["core", "ports", "use-cases", "adapters", "wrappers", "compose", "http", "observability", "config"];
const ROOMS = {
  core: { allow: ["core"], message: "src/core is pure: it imports nothing outside src/core." },
  ports: { allow: ["core", "ports"], message: "src/ports imports only src/core." },
  "use-cases": {
    allow: ["core", "ports", "use-cases"],
    message: "use cases import only src/ports, src/core and other use cases; adapters reach them through deps.",
  },
  wrappers: { allow: ["core", "ports", "wrappers"], message: "src/wrappers wrap ports: they import only src/ports and src/core." },
  adapters: { allow: ["core", "ports", "use-cases", "adapters"], message: "adapters import only src/core, src/ports, src/use-cases and other adapters." },
  http: {
    allow: ALL_ROOMS.filter((room) => room !== "adapters" && room !== "compose"),
    message: "src/http never imports src/adapters or src/compose: it gets what it needs as deps.",
  },
  observability: { allow: ["core", "ports", "observability"], message: "src/observability imports only src/core and src/ports." },
  config: { allow: ["core", "ports", "config"], message: "src/config imports only src/core and src/ports." },
  cli: { allow: ["cli"], message: "src/cli is a client of the HTTP API: it imports nothing of the service." },
  console: { allow: ["console"], message: "src/console is browser code, a client of the HTTP API: it imports nothing of the service." },
};
const MAX_DEPTH = 6;

// Pure libraries src/core (and ports and use cases) may use: no I/O, no SDK, no global state.
// zod (schemas), uuid (v5 ids), gpt-tokenizer (token counts), @langchain/textsplitters (chunking),
// file-type (sniffing bytes already in memory) and node:crypto (hashing). Anything else is refused.
const PURE_LIBRARIES = ["node:crypto", "zod", "uuid", "gpt-tokenizer", "@langchain/textsplitters", "file-type", "porter2"];
// I/O, engines and SDKs: only adapters, compose, http, observability, config and the entry points use them.
const IO_AND_SDK_MODULES = [
  "fs",
  "fs/promises",
  "net",
  "http",
  "https",
  "http2",
  "child_process",
  "worker_threads",
  "dgram",
  "dns",
  "tls",
  "@lancedb/lancedb",
  "@qdrant/js-client-rest",
  "apache-arrow",
  "ioredis",
  "bullmq",
  "openai",
  "hono",
  "@hono/node-server",
  "@hono/zod-openapi",
  "pino",
  "prom-client",
  "pdfjs-dist",
  "pg",
  "better-sqlite3",
  "kysely",
];
const escape = (text) => text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
const oneOf = (names) => `(?:${names.map(escape).join("|")})(?:/|$)`;

/** no-restricted-imports patterns for a file `depth` folders inside src/<room>/. */
function roomPatterns(room, depth) {
  const { allow, message } = ROOMS[room];
  const patterns = [{ regex: `^(?:\\.\\./){${depth}}(?!${oneOf(allow)})`, message }];
  if (["core", "ports", "use-cases"].includes(room)) {
    patterns.push({ regex: `^(?![./])(?!${oneOf(PURE_LIBRARIES)})`, message: `${message} Only pure libraries (eslint.config.js, PURE_LIBRARIES).` });
  } else if (room === "wrappers") {
    patterns.push({ regex: `^(?:node:)?${oneOf(IO_AND_SDK_MODULES)}`, message: `${message} No I/O or SDK modules.` });
  }
  return patterns;
}

const roomRules = Object.keys(ROOMS).flatMap((room) =>
  Array.from({ length: MAX_DEPTH }, (_, index) => ({
    files: [`src/${room}/${"*/".repeat(index)}*.ts`],
    ignores: ["**/*.test.ts"],
    rules: { "no-restricted-imports": ["error", { patterns: roomPatterns(room, index + 1) }] },
  })),
);

export default tseslint.config(
  { ignores: ["node_modules/", "data/", ".ci-out/", ".scratch/", "coverage/", "src/console/static/console.js"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    languageOptions: {
      globals: {
        process: "readonly",
        console: "readonly",
        Buffer: "readonly",
        URL: "readonly",
        fetch: "readonly",
        setTimeout: "readonly",
        clearTimeout: "readonly",
        performance: "readonly",
      },
    },
    rules: {
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-console": ["error", { allow: ["warn", "info"] }],
      eqeqeq: ["error", "always", { null: "ignore" }],
      // Parsers and validators match control characters on purpose.
      "no-control-regex": "off",
    },
  },
  ...roomRules,
  {
    // The entry points reach adapters only through src/compose.
    files: ["src/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        { patterns: [{ regex: "^\\./adapters/", message: "only src/compose imports src/adapters; entry points go through compose." }] },
      ],
    },
  },
  {
    // Tests read loosely typed JSON bodies.
    files: ["test/**/*.ts"],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
  {
    // Benchmarks print their numbers.
    files: ["bench/**/*.ts"],
    rules: { "no-console": "off" },
  },
);
