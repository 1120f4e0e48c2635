/**
 * What answering needs of a retrieved chunk. A retrieved hit satisfies it as it is; core declares
 * it here so that answering depends on no port.
 */
export interface Passage {
  /** Chunk id. */
  id: string;
  text: string;
  metadata: {
    documentId: string;
    title: string;
    /** File name or other caller-given source name. */
    source: string;
    /** 1-based PDF page the chunk starts on; null for formats without pages. */
    page: number | null;
    /** sha256 of the chunk text: part of the answer cache key. */
    contentHash: string;
  };
  /** The retrieval score the passage was ranked by. */
  scores: { fused: number };
}

/** One cited passage: the marker "[n]" in the answer text points at `snippet`. */
export interface Citation {
  /** Marker number in the answer text: 1-based, the passage number (model) or order of appearance (extractive). */
  n: number;
  documentId: string;
  chunkId: string;
  /** Offsets into the cited passage's text: `passage.text.slice(start, end) === snippet`. */
  start: number;
  end: number;
  /** The cited passage's retrieval score. */
  score: number;
  snippet: string;
}
