import { MemoryVectorStore } from "@langchain/classic/vectorstores/memory";
import { Document } from "@langchain/core/documents";
import { Embeddings } from "@langchain/core/embeddings";
import { RecursiveCharacterTextSplitter } from "@langchain/textsplitters";
import type { EvalDocument } from "../eval-sets.js";
import { createPeerEmbedder } from "./peer-embedder.js";
import { peerDocumentText, type PeerIndex } from "./peer-types.js";

/** LangChain's RAG tutorial splitter settings (characters). */
const CHUNK_SIZE = 1_000;
const CHUNK_OVERLAP = 200;

/** Ragline's local hashed embedder behind LangChain's `Embeddings` interface. */
class LocalHashEmbeddings extends Embeddings {
  private readonly embedder = createPeerEmbedder();

  constructor() {
    super({});
  }

  async embedDocuments(texts: string[]): Promise<number[][]> {
    return texts.map((text) => this.embedder.embedOne(text));
  }

  async embedQuery(text: string): Promise<number[]> {
    return this.embedder.embedOne(text);
  }
}

/**
 * The LangChain.js quickstart pipeline with the same embedder: `RecursiveCharacterTextSplitter`
 * (1,000 / 200 characters) over title + text → `MemoryVectorStore` (exact cosine over every chunk) →
 * `similaritySearch`. Dense only: LangChain's BM25Retriever lives in @langchain/community, which
 * cannot be installed beside this project's packages, so an EnsembleRetriever has nothing to fuse.
 * A document ranks at its best chunk; enough chunks are asked for to yield `limit` documents.
 */
export async function buildLangChainPeer(documents: readonly EvalDocument[]): Promise<PeerIndex> {
  const started = performance.now();
  const splitter = new RecursiveCharacterTextSplitter({ chunkSize: CHUNK_SIZE, chunkOverlap: CHUNK_OVERLAP });
  const chunks = await splitter.splitDocuments(
    documents.map((document) => new Document({ pageContent: peerDocumentText(document), metadata: { id: document.id } })),
  );
  const chunksPerDocument = new Map<string, number>();
  for (const chunk of chunks) chunksPerDocument.set(chunk.metadata.id, (chunksPerDocument.get(chunk.metadata.id) ?? 0) + 1);
  const mostChunks = Math.max(1, ...chunksPerDocument.values());
  const store = await MemoryVectorStore.fromDocuments(chunks, new LocalHashEmbeddings());
  return {
    retrievers: [
      {
        name: "peer: langchain-memory",
        ranking: "dense (LangChain.js)",
        description: `LangChain.js MemoryVectorStore (exact cosine, Ragline's local hashed embedder) over RecursiveCharacterTextSplitter chunks (${CHUNK_SIZE}/${CHUNK_OVERLAP} characters) of title + text; dense only`,
        async search(question, limit) {
          const hits = await store.similaritySearch(question, Math.min(chunks.length, limit * mostChunks));
          return hits.map((hit) => hit.metadata.id as string);
        },
      },
    ],
    buildSeconds: (performance.now() - started) / 1000,
    async close() {},
  };
}
