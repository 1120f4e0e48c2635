// Lint rules: ESLint's and typescript-eslint's recommended sets, plus the house rules of DESIGN.md.
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import prettier from "eslint-config-prettier";

export default tseslint.config(
  { ignores: ["node_modules/", "data/", ".ci-out/", ".scratch/", "coverage/"] },
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
