/** Media types Ragline can sniff and ingest; anything else is refused with 415. */
export const SUPPORTED_MEDIA_TYPES = ["text/plain", "text/markdown", "text/html", "application/pdf"] as const;
export type SupportedMediaType = (typeof SUPPORTED_MEDIA_TYPES)[number];

/** A page's character range in the extracted text (PDF only). `page` is 1-based. */
export interface PageSpan {
  page: number;
  start: number;
  end: number;
}

/** A heading found at character offset `start` of the extracted text. `level` 1..6. */
export interface HeadingMark {
  level: number;
  title: string;
  start: number;
}

/**
 * What a parser extracts from uploaded bytes: the visible text, plus where pages and headings
 * begin in it so every chunk can carry its page and heading path.
 */
export interface ParsedDocument {
  mediaType: SupportedMediaType;
  text: string;
  /** Title found in the document (HTML <title>, first Markdown H1, PDF info Title), if any. */
  title: string | null;
  pages: PageSpan[];
  headings: HeadingMark[];
}
