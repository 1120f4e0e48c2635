// The hot loops of the memory mirror's dense search: dot products over a contiguous Float32Array of
// vectors and a fixed-size heap for the top candidates.

/**
 * Dot product of `query` and the vector starting at `vectors[base]`. Eight accumulators let the CPU
 * overlap the additions (about 2.5x a plain loop in V8), the hot loop of every mirror search.
 */
export function dotProduct(vectors: Float32Array, base: number, query: Float64Array): number {
  const length = query.length;
  let sum0 = 0;
  let sum1 = 0;
  let sum2 = 0;
  let sum3 = 0;
  let sum4 = 0;
  let sum5 = 0;
  let sum6 = 0;
  let sum7 = 0;
  let index = 0;
  let offset = base;
  for (; index + 7 < length; index += 8, offset += 8) {
    sum0 += query[index]! * vectors[offset]!;
    sum1 += query[index + 1]! * vectors[offset + 1]!;
    sum2 += query[index + 2]! * vectors[offset + 2]!;
    sum3 += query[index + 3]! * vectors[offset + 3]!;
    sum4 += query[index + 4]! * vectors[offset + 4]!;
    sum5 += query[index + 5]! * vectors[offset + 5]!;
    sum6 += query[index + 6]! * vectors[offset + 6]!;
    sum7 += query[index + 7]! * vectors[offset + 7]!;
  }
  for (; index < length; index++, offset++) sum0 += query[index]! * vectors[offset]!;
  return sum0 + sum1 + sum2 + sum3 + sum4 + sum5 + sum6 + sum7;
}

/** Same as dotProduct for a query given by its non-zero components only. */
export function sparseDotProduct(vectors: Float32Array, base: number, indexes: Int32Array, values: Float64Array): number {
  const length = indexes.length;
  let sum0 = 0;
  let sum1 = 0;
  let sum2 = 0;
  let sum3 = 0;
  let position = 0;
  for (; position + 3 < length; position += 4) {
    sum0 += values[position]! * vectors[base + indexes[position]!]!;
    sum1 += values[position + 1]! * vectors[base + indexes[position + 1]!]!;
    sum2 += values[position + 2]! * vectors[base + indexes[position + 2]!]!;
    sum3 += values[position + 3]! * vectors[base + indexes[position + 3]!]!;
  }
  for (; position < length; position++) sum0 += values[position]! * vectors[base + indexes[position]!]!;
  return sum0 + sum1 + sum2 + sum3;
}

export interface PreparedQuery {
  values: Float64Array;
  inverseNorm: number;
  /** Set when most components are zero (hashed or sparse-ish embedders): the scan then skips the zeros. */
  nonZeroIndexes: Int32Array | null;
  nonZeroValues: Float64Array | null;
}

/** Gathering by index costs about three times a sequential read, so below a quarter non-zero it pays. */
export function prepareQuery(values: Float64Array): PreparedQuery {
  let squares = 0;
  let nonZeroCount = 0;
  for (let index = 0; index < values.length; index++) {
    squares += values[index]! * values[index]!;
    if (values[index] !== 0) nonZeroCount += 1;
  }
  const inverseNorm = squares === 0 ? 0 : 1 / Math.sqrt(squares);
  if (nonZeroCount * 4 > values.length) return { values, inverseNorm, nonZeroIndexes: null, nonZeroValues: null };
  const nonZeroIndexes = new Int32Array(nonZeroCount);
  const nonZeroValues = new Float64Array(nonZeroCount);
  for (let index = 0, position = 0; index < values.length; index++) {
    if (values[index] === 0) continue;
    nonZeroIndexes[position] = index;
    nonZeroValues[position++] = values[index]!;
  }
  return { values, inverseNorm, nonZeroIndexes, nonZeroValues };
}

/** Fixed-capacity min-heap on score: keeps the `capacity` best (score, slot) pairs offered. */
export class TopK {
  private readonly scores: Float64Array;
  private readonly slots: Int32Array;
  private length = 0;

  constructor(private readonly capacity: number) {
    this.scores = new Float64Array(capacity);
    this.slots = new Int32Array(capacity);
  }

  offer(score: number, slot: number): void {
    if (this.length < this.capacity) {
      let child = this.length++;
      while (child > 0) {
        const parent = (child - 1) >> 1;
        if (this.scores[parent]! <= score) break;
        this.scores[child] = this.scores[parent]!;
        this.slots[child] = this.slots[parent]!;
        child = parent;
      }
      this.scores[child] = score;
      this.slots[child] = slot;
      return;
    }
    if (score <= this.scores[0]!) return;
    this.siftDown(score, slot, this.length);
  }

  /** Empties the heap into arrays ordered best first. */
  drainBestFirst(): { scores: Float64Array; slots: Int32Array } {
    const scores = new Float64Array(this.length);
    const slots = new Int32Array(this.length);
    for (let position = this.length - 1; position >= 0; position--) {
      scores[position] = this.scores[0]!;
      slots[position] = this.slots[0]!;
      const lastScore = this.scores[position]!;
      const lastSlot = this.slots[position]!;
      this.siftDown(lastScore, lastSlot, position);
    }
    this.length = 0;
    return { scores, slots };
  }

  /** Puts (score, slot) at the root of the first `length` entries and sifts it down. */
  private siftDown(score: number, slot: number, length: number): void {
    let parent = 0;
    for (;;) {
      let child = 2 * parent + 1;
      if (child >= length) break;
      if (child + 1 < length && this.scores[child + 1]! < this.scores[child]!) child += 1;
      if (this.scores[child]! >= score) break;
      this.scores[parent] = this.scores[child]!;
      this.slots[parent] = this.slots[child]!;
      parent = child;
    }
    this.scores[parent] = score;
    this.slots[parent] = slot;
  }
}
