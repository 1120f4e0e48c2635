import type { EvalDocument } from "../eval-sets.js";

/** One retrieval system outside Ragline, already holding a set's documents. */
export interface PeerRetriever {
  /** Row label, e.g. `peer: lancedb-bm25`. */
  name: string;
  /** The table's ranking cell: which kind of retrieval, by whose code, e.g. `BM25 (LanceDB)`. */
  ranking: string;
  /** One line: what the peer is and how it was set up. */
  description: string;
  /** Document ids best first, at most `limit` distinct ones, exactly as the peer ranks them. */
  search(question: string, limit: number): Promise<string[]>;
}

/** Peers built over one shared index (e.g. one LanceDB table serving both BM25 and hybrid queries). */
export interface PeerIndex {
  retrievers: PeerRetriever[];
  /** Wall time to build the index: embedding, writing rows, building its indexes. */
  buildSeconds: number;
  close(): Promise<void>;
}

/** Builds a peer index over a set's documents. */
export type PeerIndexBuilder = (documents: readonly EvalDocument[]) => Promise<PeerIndex>;

/**
 * The text a peer stores for a document: the title, a blank line, then the text, in one field — how
 * BEIR's BM25 baselines index both fields and how a user without a title field would store them.
 */
export function peerDocumentText(document: EvalDocument): string {
  return document.title ? `${document.title}\n\n${document.text}` : document.text;
}
