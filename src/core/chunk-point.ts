// The chunk as stored: the VectorStore port's unit of writing, defined in core so core's checks can use it.

/** Where a chunk sits in its document; travels with every point and every hit. */
export interface ChunkMetadata {
  documentId: string;
  title: string;
  /** File name or other caller-given source name. */
  source: string;
  chunkIndex: number;
  /** Character offsets of the chunk in the document's extracted text: text.slice(start, end) === chunk text. */
  start: number;
  end: number;
  /** Headings enclosing the chunk, outermost first (Markdown/HTML); empty when none. */
  headingPath: string[];
  /** 1-based PDF page the chunk starts on; null for formats without pages. */
  page: number | null;
  /** sha256 of the chunk text. */
  contentHash: string;
  embeddingModel: string;
}

export interface ChunkPoint {
  /** Deterministic: UUIDv5(tenant, document id, chunk index). */
  id: string;
  tenant: string;
  text: string;
  vector: number[];
  metadata: ChunkMetadata;
}
