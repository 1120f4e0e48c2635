import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load-config.js";
import { ReloadableRetrievalSettings } from "../../src/config/reloadable-settings.js";
import { jsonRequest, startTestRuntime, type TestRuntime } from "../helpers/test-runtime.js";
import { waitFor } from "../helpers/wait-for.js";

interface ExplainedCandidate {
  document_id: string;
  score: number;
  rank: number;
}

interface ExplainBody {
  retrieval: {
    explain: {
      lexical: ExplainedCandidate[];
      expansion: {
        mode: string;
        applied: boolean;
        reason: string;
        terms: Array<{ term: string; weight: number; from_question: boolean }>;
        first_lexical: ExplainedCandidate[] | null;
      };
    };
  };
}

const DOCUMENTS: Record<string, string> = {
  kiwi: "The kiwi is a flightless bird of New Zealand. Kiwi birds are nocturnal, flightless and lay huge eggs.",
  takahe: "The takahe is a flightless bird of New Zealand, once thought extinct, now protected on islands.",
  bread: "Sourdough bread is leavened with a culture of wild yeast and lactic acid bacteria.",
  chess: "In chess, castling moves the king two squares towards a rook.",
};

describe("RM3 query expansion (retrieval.expansion), hot-reloaded", () => {
  let test: TestRuntime;
  let settings: ReloadableRetrievalSettings;
  let directory: string;
  let file: string;

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), "ragline-expansion-"));
    file = join(directory, "ragline.config.yaml");
    await writeFile(file, "retrieval:\n  minScore: 0\n");
    const environment = { RAGLINE_CONFIG: file };
    settings = new ReloadableRetrievalSettings(loadConfig({ environment }), { environment, debounceMs: 10 });
    test = await startTestRuntime({}, { retrievalSettings: settings });
    for (const [id, text] of Object.entries(DOCUMENTS)) await test.app.request(`/v1/documents/${id}`, jsonRequest("PUT", { text }));
    for (const id of Object.keys(DOCUMENTS)) {
      await waitFor(async () => ((await (await test.app.request(`/v1/documents/${id}`)).json()) as { status: string }).status === "indexed", `${id} indexed`);
    }
  });
  afterAll(async () => {
    settings.stop();
    await test.close();
    await rm(directory, { recursive: true, force: true });
  });

  const explain = async (question: string) => {
    const response = await test.app.request("/v1/query", jsonRequest("POST", { question, mode: "retrieve", explain: true, min_score: 0 }));
    expect(response.status).toBe(200);
    return ((await response.json()) as ExplainBody).retrieval.explain;
  };
  const useExpansion = async (yaml: string) => {
    await writeFile(file, `retrieval:\n  minScore: 0\n  expansion: ${yaml}\n`);
    expect(settings.reload("test")).toBe(true);
  };

  it("is off by default: one lexical pass with the question's own terms", async () => {
    const { expansion, lexical } = await explain("kiwi");
    expect(expansion).toEqual({ mode: "off", applied: false, reason: "off", terms: [{ term: "kiwi", weight: 1, from_question: true }], first_lexical: null });
    expect(lexical.map((candidate) => candidate.document_id)).toEqual(["kiwi"]);
  });

  it("always: expands with the feedback documents' terms and shows the first pass", async () => {
    await useExpansion("{ mode: always }");
    const { expansion } = await explain("kiwi");
    expect(expansion.applied).toBe(true);
    expect(expansion.reason).toBe("always");
    expect(expansion.first_lexical?.map((candidate) => candidate.document_id)).toEqual(["kiwi"]);
    const feedbackTerms = expansion.terms.filter((term) => !term.from_question).map((term) => term.term);
    expect(feedbackTerms).toEqual(expect.arrayContaining(["flightless", "bird", "zealand"]));
    expect(expansion.terms[0]).toMatchObject({ term: "kiwi", from_question: true });
    // The question's term keeps the largest weight; the expanded query carries the question's total weight (1).
    expect(expansion.terms.reduce((sum, term) => sum + term.weight, 0)).toBeCloseTo(1, 9);
  });

  it("finds through the feedback terms a document that holds none of the question's terms", async () => {
    await useExpansion("{ mode: off }");
    expect((await explain("kiwi")).lexical.map((candidate) => candidate.document_id)).toEqual(["kiwi"]);
    await useExpansion("{ mode: always }");
    const lexical = (await explain("kiwi")).lexical.map((candidate) => candidate.document_id);
    // "takahe" shares "flightless bird of New Zealand" with the kiwi document; bread and chess share nothing.
    expect(lexical).toEqual(["kiwi", "takahe"]);
  });

  it("gated: expands a short query, not a long question; the settings reload without a restart", async () => {
    await useExpansion("{ mode: gated, expansionTerms: 3 }");
    const short = (await explain("kiwi eggs")).expansion;
    expect(short).toMatchObject({ mode: "gated", applied: true, reason: "short_query" });
    // At most expansionTerms feedback terms beyond the question's two.
    const added = short.terms.filter((term) => !term.from_question);
    expect(added.length).toBeGreaterThan(0);
    expect(added.length).toBeLessThanOrEqual(3);
    expect(short.terms.filter((term) => term.from_question).map((term) => term.term)).toEqual(expect.arrayContaining(["kiwi", "egg"]));
    const long = (await explain("Which nocturnal flightless bird of New Zealand lays huge eggs?")).expansion;
    expect(long).toMatchObject({ mode: "gated", applied: false, reason: "long_query", first_lexical: null });
    expect((await explain("the of and")).expansion.reason).toBe("no_query_terms");
  });

  it("refuses settings that cannot work", async () => {
    await writeFile(file, "retrieval:\n  candidateK: 20\n  expansion: { feedbackDocs: 30 }\n");
    expect(settings.reload("test")).toBe(false);
    await writeFile(file, "retrieval:\n  expansion: { mode: sometimes }\n");
    expect(settings.reload("test")).toBe(false);
    await writeFile(file, "retrieval:\n  expansion: { originalWeight: 0 }\n");
    expect(settings.reload("test")).toBe(false);
    expect(settings.current().expansion.mode).toBe("gated");
  });
});
