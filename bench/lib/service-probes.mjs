// Preloaded into the service by `bench:ingest --count-sql / --profile`: tallies better-sqlite3 statement runs and their wall time by SQL text
// (written to BENCH_SQL_COUNTS as JSON at exit) and records a V8 CPU profile (BENCH_CPU_PROFILE).
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector";
import Database from "better-sqlite3";

if (process.env.BENCH_SQL_COUNTS) {
  const counts = new Map();
  const prepares = { runs: 0, ms: 0 };
  const originalPrepare = Database.prototype.prepare;
  Database.prototype.prepare = function prepare(source) {
    const started = process.hrtime.bigint();
    const statement = originalPrepare.call(this, source);
    prepares.runs += 1;
    prepares.ms += Number(process.hrtime.bigint() - started) / 1e6;
    const key = source
      .replace(/\s+/g, " ")
      .replace(/\(\?(, \?)*\)/g, "(?…)")
      .slice(0, 160);
    for (const method of ["run", "get", "all", "iterate"]) {
      const original = statement[method];
      statement[method] = function (...args) {
        const started = process.hrtime.bigint();
        try {
          return original.apply(this, args);
        } finally {
          const entry = counts.get(key) ?? { runs: 0, ms: 0 };
          entry.runs += 1;
          entry.ms += Number(process.hrtime.bigint() - started) / 1e6;
          counts.set(key, entry);
        }
      };
    }
    return statement;
  };
  process.on("exit", () => {
    const statements = Object.fromEntries([...counts].sort((a, b) => b[1].ms - a[1].ms));
    writeFileSync(process.env.BENCH_SQL_COUNTS, JSON.stringify({ prepares, statements }, null, 1));
  });
}

if (process.env.BENCH_CPU_PROFILE) {
  const session = new Session();
  session.connect();
  session.post("Profiler.enable");
  session.post("Profiler.start");
  process.on("exit", () => {
    session.post("Profiler.stop", (error, result) => {
      if (!error) writeFileSync(process.env.BENCH_CPU_PROFILE, JSON.stringify(result.profile));
    });
  });
}
