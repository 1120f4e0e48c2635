import { decode, encode } from "gpt-tokenizer/encoding/cl100k_base";

/** Counts tokens with the cl100k_base BPE that ships inside gpt-tokenizer (no download). */
export interface TokenCounter {
  count(text: string): number;
  /** Character length of the last `tokenCount` tokens of `text`. */
  tailLength(text: string, tokenCount: number): number;
}

const MEMO_MAX_ENTRIES = 20_000;
/** Special-token markers such as `<|endoftext|>` in user text are ordinary text, never control tokens. */
const PLAIN_TEXT = { allowedSpecial: new Set<string>(), disallowedSpecial: new Set<string>() };

/**
 * Creates a cl100k_base token counter. gpt-tokenizer was chosen over js-tiktoken because it counts the
 * same tokens several times faster (bench/RESULTS.md), and counting is on the ingest path of every document. The two agree on SQuAD and on a few thousand samples of
 * emoji, CJK, control characters and special-token markers; the one difference found is U+FEFF (a
 * zero-width no-break space inside text), which gpt-tokenizer counts as two tokens where js-tiktoken
 * says one. Counts are memoised: the text splitter measures the same pieces several times while merging.
 */
export function createTokenCounter(): TokenCounter {
  const memo = new Map<string, number>();
  return {
    count(text) {
      const known = memo.get(text);
      if (known !== undefined) return known;
      const counted = encode(text, PLAIN_TEXT).length;
      if (memo.size >= MEMO_MAX_ENTRIES) memo.clear();
      memo.set(text, counted);
      return counted;
    },
    tailLength: (text, tokenCount) => (tokenCount <= 0 ? 0 : decode(encode(text, PLAIN_TEXT).slice(-tokenCount)).length),
  };
}
