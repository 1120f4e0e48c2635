type Method = (...args: never[]) => unknown;
type MethodKeys<T> = { [K in keyof T]-?: T[K] extends Method ? K : never }[keyof T];

/**
 * What a wrapper does around some of a port's methods: each entry receives the wrapped port's own
 * method (`next`, already bound) and returns the replacement. Methods without an entry, and every
 * property (`modelId`, `dimension`, `kind`…), pass through untouched.
 */
export type PortMiddleware<T> = {
  [K in MethodKeys<T>]?: T[K] extends (...args: infer A) => infer R ? (next: (...args: A) => R) => (...args: A) => R : never;
};

/**
 * Wraps a port with cross-cutting behaviour (retries, timeouts, breakers, coalescing, batching,
 * concurrency limits) in the spirit of the Vercel AI SDK's `wrapEmbeddingModel`: one generic helper
 * instead of hand-written pass-through classes. Wrappers compose: `wrapPort(wrapPort(x, a), b)` runs
 * `b` outside `a`.
 */
export function wrapPort<T extends object>(port: T, middleware: PortMiddleware<T>): T {
  const replaced = new Map<PropertyKey, unknown>();
  for (const key of Object.keys(middleware) as Array<keyof PortMiddleware<T> & keyof T>) {
    const wrap = middleware[key] as ((next: Method) => Method) | undefined;
    const original = port[key] as unknown;
    if (wrap === undefined) continue;
    if (typeof original !== "function") throw new TypeError(`wrapPort: ${String(key)} is not a method of the wrapped port`);
    replaced.set(key, wrap((original as Method).bind(port)));
  }
  return new Proxy(port, {
    get(target, key) {
      if (replaced.has(key)) return replaced.get(key);
      const value = Reflect.get(target, key, target) as unknown;
      return typeof value === "function" ? (value as Method).bind(target) : value;
    },
  });
}
