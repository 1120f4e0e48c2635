import type { Compilable, CompiledQuery, Kysely, QueryResult } from "kysely";
import type { SqlDatabase } from "./sql-schema.js";

const MARKER = "\u0000ragline-parameter:";

type Slot = { name: string } | { value: unknown };

/** Stands for the run-time value of parameter `name` while a reusable query is built. */
export type ParameterOf<P> = <K extends keyof P & string>(name: K) => P[K];

/**
 * A hot query built and compiled once per dialect, then run with new parameter values: Kysely
 * otherwise builds and compiles its operation tree on every call. `build` must use `param(name)`
 * wherever a run-time value goes and pass it as a plain value (compared, inserted or set), never in
 * a list or as an identifier. Plugins see the query once, at compile time, and each result.
 */
export function reusableQuery<P extends Record<string, unknown>, R>(
  build: (db: Kysely<SqlDatabase>, param: ParameterOf<P>) => Compilable<R>,
): (db: Kysely<SqlDatabase>, parameters: P) => Promise<QueryResult<R>> {
  const templates = new WeakMap<object, { compiled: CompiledQuery<R>; slots: Slot[] }>();
  return async (db, parameters) => {
    // Transactions share their database's adapter, so one template serves both.
    const adapter = db.getExecutor().adapter;
    let template = templates.get(adapter);
    if (!template) {
      const compiled = build(db, ((name: string) => `${MARKER}${name}`) as ParameterOf<P>).compile();
      const slots = compiled.parameters.map((value): Slot =>
        typeof value === "string" && value.startsWith(MARKER) ? { name: value.slice(MARKER.length) } : { value },
      );
      template = { compiled, slots };
      templates.set(adapter, template);
    }
    const values = template.slots.map((slot) => ("name" in slot ? parameters[slot.name] : slot.value));
    return db.executeQuery<R>({ ...template.compiled, parameters: values });
  };
}
