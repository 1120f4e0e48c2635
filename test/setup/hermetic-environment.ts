/**
 * Vitest setup file (runs in every test worker before each test file): removes production
 * variables from the environment and points RAGLINE_CONFIG at the run's clean config, so no test
 * reads the project root's ragline.config.yaml, an exported REDIS_URL or OPENAI_API_KEY. The live
 * Qdrant suite alone keeps QDRANT_URL / QDRANT_API_KEY.
 */
import { expect, inject } from "vitest";
import { LIVE_QDRANT_VARIABLES, TEST_RUN_ID_VARIABLE, isProductionVariable } from "../helpers/test-environment.js";

const LIVE_QDRANT_SUITE = /[\\/]test[\\/]contracts[\\/]qdrant-vector-store\.live\.test\.ts$/;

const live = Object.fromEntries(LIVE_QDRANT_VARIABLES.map((name) => [name, process.env[name]]));
for (const name of Object.keys(process.env)) if (isProductionVariable(name)) delete process.env[name];

process.env.RAGLINE_CONFIG = inject("testConfigPath");
process.env[TEST_RUN_ID_VARIABLE] = inject("testRunId");

if (LIVE_QDRANT_SUITE.test(expect.getState().testPath ?? "")) {
  for (const [name, value] of Object.entries(live)) if (value !== undefined) process.env[name] = value;
}
