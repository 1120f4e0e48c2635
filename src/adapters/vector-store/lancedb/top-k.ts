// The memory mirror's selection of its best dense candidates (the scan itself is in vector-columns.ts).

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
