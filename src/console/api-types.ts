/** The wire shapes the console reads (snake_case JSON; see src/http/*-schemas.ts, the source of truth). */

export type DocumentStatus = "queued" | "processing" | "indexed" | "failed";

export interface DocumentJson {
  id: string;
  title: string;
  source: string;
  status: DocumentStatus;
  chunk_count: number;
  error: string | null;
  updated_at: string;
}

export interface UploadItemJson {
  name: string | null;
  status: "accepted" | "duplicate" | "updated" | "refused";
  id: string | null;
  document_status: DocumentStatus | null;
  reason: string | null;
}

export interface JobJson {
  id: string;
  document_id: string;
  state: string;
  attempts: number;
  max_attempts: number;
  error: string | null;
  updated_at: string;
}

export interface HitJson {
  document_id: string;
  chunk_id: string;
  score: number;
  text: string;
  metadata: { title: string; source: string; chunk_index: number; page: number | null };
}

export interface CitationJson {
  n: number;
  document_id: string;
  chunk_id: string;
  start: number;
  end: number;
  score: number;
  snippet: string;
}

export interface ExplainedCandidateJson {
  chunk_id: string;
  document_id: string;
  score: number;
  rank: number;
}

export interface ExplainJson {
  dense: ExplainedCandidateJson[];
  lexical: ExplainedCandidateJson[];
  expansion: { mode: string; applied: boolean; reason: string; terms: { term: string; weight: number; from_question: boolean }[] };
  fused: {
    chunk_id: string;
    document_id: string;
    fused: number;
    relevance: number;
    relevance_parts: { coverage: number; dense: number; anchors: number } | null;
    dense_rank: number | null;
    text_rank: number | null;
    kept: boolean;
    reason: string | null;
  }[];
  reranked?: { chunk_id: string; document_id: string; rerank: number; fused_rank: number; kept: boolean; reason: string | null }[];
}

export interface RetrievalJson {
  status: "ok" | "empty" | "unavailable";
  hits: HitJson[];
  thresholds: {
    top_k: number;
    candidate_k: number;
    min_score: number;
    min_score_applies_to: string;
    fusion: { method: string; weights: { dense: number; lexical: number }; rrf_k: number };
  };
  reason?: string;
  rerank?: { status: string; model: string; candidates: number; min_score: number; reason?: string };
  cut?: HitJson[];
  explain?: ExplainJson;
}

export interface UsageTotalsJson {
  group: Record<string, string | null>;
  calls: number;
  failed_calls: number;
  input_tokens: number;
  output_tokens: number;
  cached_tokens: number;
  cost_usd: number;
}

export interface ReviewJson {
  id: string;
  answer_id: string;
  question: string;
  answer: string;
  citations: { n?: number; snippet?: string; document_id?: string }[];
  score: number | null;
  reasons: string[];
  judge_version: string | null;
  prompt_version: string | null;
  state: string;
  corrected_answer: string | null;
  comment: string | null;
  created_at: string;
}
