// Entry of a parse thread. The service runs TypeScript through tsx, and a worker thread only inherits
// it when the process was started with `--import tsx` (npm start) — not under vitest or tsx's CLI — so
// the thread registers tsx for its own import of the TypeScript worker module.
import { register } from "tsx/esm/api";

const typescript = register({ namespace: "ragline-parse-worker" });
const { runParseTask } = await typescript.import("./parse-worker.ts", import.meta.url);

export default runParseTask;
