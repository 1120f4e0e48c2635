import { describe, expect, it } from "vitest";
import { prepareQuery, VectorColumns } from "../../src/adapters/vector-store/lancedb/vector-columns.js";

function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

describe("VectorColumns", () => {
  it("gives the same bits for a slot whether scanned, gathered or asked alone, across resizes and moves", () => {
    const random = seededRandom(11);
    for (const dimension of [1, 7, 8, 9, 17, 64]) {
      const columns = new VectorColumns(dimension, 2);
      const vectors: number[][] = [];
      for (let slot = 0; slot < 40; slot++) {
        if (slot >= columns.slotCapacity) columns.resize(columns.slotCapacity * 2, slot);
        const vector = Array.from({ length: dimension }, () => (random() < 0.3 ? 0 : random() - 0.5));
        vectors.push(vector);
        columns.set(slot, vector);
      }
      columns.move(39, 3);
      vectors[3] = vectors[39]!;
      columns.resize(39, 39);
      const query = prepareQuery(Float64Array.from({ length: dimension }, () => (random() < 0.5 ? 0 : random() - 0.5)));
      const scanned = columns.similarities(query, 39);
      const slots = Int32Array.from({ length: 39 }, (_, index) => 38 - index);
      const gathered = columns.similaritiesOf(query, slots);
      for (let slot = 0; slot < 39; slot++) {
        expect(columns.similarityAt(query, slot)).toBe(scanned[slot]);
        expect(gathered[38 - slot]).toBe(scanned[slot]);
        // And it is the cosine of the stored (float32-rounded) vector.
        const stored = Float32Array.from(vectors[slot]!);
        const queryVector = Array.from({ length: dimension }, (_, component) => {
          const position = query.indexes.indexOf(component);
          return position < 0 ? 0 : query.values[position]!;
        });
        const dot = stored.reduce((sum, value, component) => sum + value * queryVector[component]!, 0);
        const norms = Math.hypot(...stored) * Math.hypot(...queryVector);
        expect(scanned[slot]).toBeCloseTo(norms === 0 ? 0 : dot / norms, 12);
      }
    }
  });
});
