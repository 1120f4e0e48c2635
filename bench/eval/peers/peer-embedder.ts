import { LocalHashEmbedder } from "../../../src/adapters/embedder/local/local-hash-embedder.js";

/**
 * Ragline's default `embedding.dimension` (the schema default; a test keeps the two equal), so the
 * peers' vectors are the very vectors the `default` configuration stores and only retrieval differs.
 */
export const PEER_EMBEDDING_DIMENSION = 512;

/** The same local hashed embedder the service uses by default: the one piece of Ragline on a peer's path. */
export function createPeerEmbedder(): LocalHashEmbedder {
  return new LocalHashEmbedder({ dimension: PEER_EMBEDDING_DIMENSION });
}
