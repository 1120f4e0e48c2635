/** A named configuration the harness can run: overrides of ragline's config, validated by the real schema. */
export interface EvalConfig {
  description: string;
  /** Partial config (the shape of ragline.config.yaml); server.dataDir and logLevel are set by the harness. */
  overrides(): Record<string, unknown>;
  /** Upload `title + "\n\n" + text` as the text (how BEIR's BM25 baselines index both fields) instead of the title field. */
  titleInText?: boolean;
}

/**
 * Configurations `--configs` can name. Add one here to compare it side by side with the default; every
 * configuration also yields a lexical-only and a dense-only row from its own store.
 */
export const EVAL_CONFIGS: Record<string, EvalConfig> = {
  default: { description: "schema defaults (embedded LanceDB, local hashed embedder d512, extractive answers)", overrides: () => ({}) },
  "title-in-text": {
    description: "schema defaults; each document's title is also prepended to its text (so it counts twice: the service indexes the title field too)",
    overrides: () => ({}),
    titleInText: true,
  },
  rrf: {
    description: "plain reciprocal rank fusion (equal weights, k 60: the fusion before it was configurable) with the default relevance threshold",
    overrides: () => ({ retrieval: { fusion: { method: "rrf", rrfK: 60 } } }),
  },
  convex: {
    description: "convex combination of min-max normalised scores, dense 0.15 / lexical 0.85, with the default relevance threshold",
    overrides: () => ({ retrieval: { fusion: { method: "convex", weights: { dense: 0.15, lexical: 0.85 } } } }),
  },
  rm3: {
    description: "schema defaults with RM3 query expansion on every query (feedback docs 10, expansion terms 10, original weight 0.5)",
    overrides: () => ({ retrieval: { expansion: { mode: "always" } } }),
  },
  "rm3-gated": {
    description: "schema defaults with RM3 query expansion on short queries only (at most 3 distinct content terms: the gate fixed before tuning)",
    overrides: () => ({ retrieval: { expansion: { mode: "gated" } } }),
  },
  "no-expansion": {
    description: "schema defaults with query expansion off (the comparison row once a default turns it on)",
    overrides: () => ({ retrieval: { expansion: { mode: "off" } } }),
  },
  qdrant: {
    description: "schema defaults with the Qdrant store at QDRANT_URL (fresh collection per run)",
    overrides: () => {
      const url = process.env.QDRANT_URL;
      if (!url) throw new Error("the qdrant configuration needs QDRANT_URL");
      return { qdrant: { url, collection: `ragline_eval_${Date.now().toString(36)}` } };
    },
  },
};

/** The named configurations, in the order given; unknown names are an error listing the known ones. */
export function resolveConfigs(names: readonly string[]): Array<{ name: string } & EvalConfig> {
  return names.map((name) => {
    const config = EVAL_CONFIGS[name];
    if (!config) throw new Error(`unknown configuration "${name}"; known: ${Object.keys(EVAL_CONFIGS).join(", ")}`);
    return { name, ...config };
  });
}
