import { Tiktoken } from "js-tiktoken/lite";
import cl100kBase from "js-tiktoken/ranks/cl100k_base";

/** Counts tokens with the cl100k_base BPE that ships inside js-tiktoken (no download). */
export interface TokenCounter {
  count(text: string): number;
  /** Character length of the last `tokenCount` tokens of `text`. */
  tailLength(text: string, tokenCount: number): number;
}

const MEMO_MAX_ENTRIES = 20_000;

/**
 * Creates a cl100k_base token counter; the encoder is built once per counter (~100 ms). Counts are
 * memoised: the text splitter measures the same pieces several times while merging, and every
 * js-tiktoken `encode` call rebuilds its special-token regex.
 */
export function createTokenCounter(): TokenCounter {
  const encoder = new Tiktoken(cl100kBase);
  const memo = new Map<string, number>();
  return {
    count(text) {
      const known = memo.get(text);
      if (known !== undefined) return known;
      const counted = encoder.encode(text, [], []).length;
      if (memo.size >= MEMO_MAX_ENTRIES) memo.clear();
      memo.set(text, counted);
      return counted;
    },
    tailLength: (text, tokenCount) => (tokenCount <= 0 ? 0 : encoder.decode(encoder.encode(text, [], []).slice(-tokenCount)).length),
  };
}
