#!/usr/bin/env node
// `ragline`: the CLI entry point (TypeScript run through tsx, as `npm start` runs the service).
import { register } from "tsx/esm/api";

register();
const { runCli } = await import("../src/cli/main.ts");
process.exitCode = await runCli(process.argv.slice(2));
