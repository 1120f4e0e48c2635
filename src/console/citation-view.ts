import type { CitationJson, HitJson } from "./api-types.js";
import { el, formatNumber } from "./dom.js";

/**
 * A chunk's text with the cited range wrapped in `<mark>`: three text nodes around one element, so
 * the document text is never parsed. Offsets are UTF-16 code units (String#slice), as the API gives them;
 * out-of-range offsets are clamped.
 */
export function highlightedChunk(text: string, start: number, end: number): HTMLElement {
  const from = Math.max(0, Math.min(start, text.length));
  const to = Math.max(from, Math.min(end, text.length));
  return el("blockquote", { class: "chunk" }, [text.slice(0, from), el("mark", {}, [text.slice(from, to)]), text.slice(to)]);
}

/**
 * One citation: its number, the cited document (title, source, page) and its source chunk with the
 * quoted range highlighted. The chunk text comes from the query's own retrieval hits; a citation
 * whose chunk is not among them shows its snippet, highlighted whole.
 */
export function citationItem(citation: CitationJson, hits: HitJson[]): HTMLElement {
  const hit = hits.find((candidate) => candidate.chunk_id === citation.chunk_id);
  const title = hit?.metadata.title || citation.document_id;
  const where = [hit?.metadata.source, hit?.metadata.page != null ? `page ${hit.metadata.page}` : ""].filter(Boolean).join(", ");
  return el("li", { class: "citation", id: `citation-${citation.n}` }, [
    el("p", { class: "citation-head" }, [
      el("strong", {}, [`[${citation.n}] ${title}`]),
      where ? ` (${where})` : "",
      ` · score ${formatNumber(citation.score)}`,
    ]),
    hit ? highlightedChunk(hit.text, citation.start, citation.end) : highlightedChunk(citation.snippet, 0, citation.snippet.length),
  ]);
}
