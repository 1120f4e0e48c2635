// Test stand-in for a parse thread: the real worker, except that documents containing a marker make
// the thread misbehave the way a parser can: exit, loop forever, or allocate until the heap is gone.
import runParseTask from "../../src/adapters/document-chunker/thread-pool/parse-worker.mjs";

export default async function misbehavingParseTask(task) {
  const text = Buffer.from(task.bytes).toString("utf8");
  if (text.includes("EXIT-THE-THREAD")) process.exit(7);
  if (text.includes("LOOP-FOREVER")) {
    // Started, as the real worker says, so the time limit runs.
    task.started.postMessage(null);
    for (;;);
  }
  if (text.includes("EAT-THE-HEAP")) {
    const hoard = [];
    for (;;) hoard.push({ index: hoard.length, padding: `${hoard.length}`.repeat(16) });
  }
  return runParseTask(task);
}
