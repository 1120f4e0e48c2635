import { main } from "./main.js";

main("worker").catch((error) => {
  process.stderr.write(`ragline worker failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
