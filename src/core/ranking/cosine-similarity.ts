/** Euclidean length of a vector. */
export function vectorNorm(vector: ArrayLike<number>): number {
  let squares = 0;
  for (let index = 0; index < vector.length; index++) squares += vector[index]! * vector[index]!;
  return Math.sqrt(squares);
}

/** Clamps rounding noise back into the cosine range [-1, 1]. */
export function clampSimilarity(value: number): number {
  return Math.max(-1, Math.min(1, value));
}

/**
 * Cosine similarity in [-1, 1] of a query (with its precomputed norm) and a stored vector; 0 when
 * either has zero length. The absolute, cross-query comparable score every store thresholds on.
 */
export function cosineSimilarity(query: ArrayLike<number>, queryNorm: number, stored: ArrayLike<number>): number {
  let dot = 0;
  let storedSquares = 0;
  for (let index = 0; index < query.length; index++) {
    const value = stored[index] ?? 0;
    dot += query[index]! * value;
    storedSquares += value * value;
  }
  const denominator = queryNorm * Math.sqrt(storedSquares);
  return denominator === 0 ? 0 : clampSimilarity(dot / denominator);
}
