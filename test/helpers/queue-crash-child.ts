/**
 * Child process for the queue crash test: `node --import tsx test/helpers/queue-crash-child.ts <dir> <enqueue|resume>`.
 * Opens `<dir>/ragline.sqlite` as the service does. `enqueue` enqueues 200 jobs, prints "enqueued",
 * then processes them (the parent kills it midway); `resume` only processes what it finds until
 * idle, then prints "idle". Each job appends its id to `<dir>/handled.log`.
 */
import { appendFile } from "node:fs/promises";
import { join } from "node:path";
import { SqlJobQueue } from "../../src/adapters/job-queue/sql/sql-job-queue.js";
import { openSqliteDatabase } from "../../src/adapters/sql/open-database.js";

const CRASH_TEST_JOB_COUNT = 200;

const [directory, mode] = process.argv.slice(2);
if (directory === undefined || (mode !== "enqueue" && mode !== "resume")) {
  process.stderr.write("usage: queue-crash-child.ts <directory> <enqueue|resume>\n");
  process.exit(2);
}

const logPath = join(directory, "handled.log");
const state = await openSqliteDatabase({ path: join(directory, "ragline.sqlite") });
const queue = new SqlJobQueue<{ index: number }>({ state, backoff: { baseMs: 5, maxMs: 50 } });

if (mode === "enqueue") {
  for (let index = 0; index < CRASH_TEST_JOB_COUNT; index += 1) {
    await queue.enqueue({ index }, { id: `job-${index}` });
  }
  process.stdout.write("enqueued\n");
}

await queue.start(
  async (job, context) => {
    await new Promise((resolve) => setTimeout(resolve, 10));
    await context.reportProgress(0.5);
    await appendFile(logPath, `${job.id}\n`);
  },
  { concurrency: 4 },
);
await queue.onIdle();
await queue.close();
await state.close();
process.stdout.write("idle\n");
