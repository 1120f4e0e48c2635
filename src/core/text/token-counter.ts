import { decode, encode } from "gpt-tokenizer/encoding/cl100k_base";

/** Counts tokens with the cl100k_base BPE that ships inside gpt-tokenizer (no download). */
export interface TokenCounter {
  count(text: string): number;
  /** Character length of the last `tokenCount` tokens of `text`. */
  tailLength(text: string, tokenCount: number): number;
}

const MEMO_MAX_ENTRIES = 20_000;
/** Longer texts are not memoised: the splitter re-measures its small pieces, not whole documents. */
const MEMO_MAX_LENGTH = 8_192;
/** Special-token markers such as `<|endoftext|>` in user text are ordinary text, never control tokens. */
const PLAIN_TEXT = { allowedSpecial: new Set<string>(), disallowedSpecial: new Set<string>() };
/** Texts longer than this are encoded piece by piece (see `encodingPieces`). */
const PIECE_LENGTH = 2_048;
/** BPE time grows with the square of a word's length: a run longer than this without a space is cut. */
const LONGEST_RUN = 256;

/**
 * Creates a cl100k_base token counter. gpt-tokenizer was chosen over js-tiktoken because it counts the
 * same tokens several times faster (bench/RESULTS.md), and counting is on the ingest path of every document. The two agree on SQuAD and on a few thousand samples of
 * emoji, CJK, control characters and special-token markers; the one difference found is U+FEFF (a
 * zero-width no-break space inside text), which gpt-tokenizer counts as two tokens where js-tiktoken
 * says one. Counts are memoised: the text splitter measures the same pieces several times while merging.
 * Time is linear in the text's length: long texts are encoded in pieces cut where the tokenizer
 * itself would cut (so counts stay exact), and a run of more than 256 characters without a space or tab
 * is cut every 256 characters, which can only count a few tokens more than the tokenizer would.
 */
export function createTokenCounter(): TokenCounter {
  const memo = new Map<string, number>();
  return {
    count(text) {
      const known = memo.get(text);
      if (known !== undefined) return known;
      let counted = 0;
      for (const piece of encodingPieces(text)) counted += encode(piece, PLAIN_TEXT).length;
      if (text.length <= MEMO_MAX_LENGTH) {
        if (memo.size >= MEMO_MAX_ENTRIES) memo.clear();
        memo.set(text, counted);
      }
      return counted;
    },
    tailLength(text, tokenCount) {
      if (tokenCount <= 0) return 0;
      const pieces = encodingPieces(text);
      const tail: number[][] = [];
      let tokens = 0;
      for (let index = pieces.length - 1; index >= 0 && tokens < tokenCount; index--) {
        const encoded = encode(pieces[index]!, PLAIN_TEXT);
        tail.unshift(encoded);
        tokens += encoded.length;
      }
      return decode(tail.flat().slice(-tokenCount)).length;
    },
  };
}

/**
 * `text` cut into pieces whose encodings, concatenated, are the encoding of `text`: a cut goes before
 * a space or tab that follows a non-space, where cl100k's pre-tokenizer always starts a new word,
 * once a piece is 2,048 characters long. A run of more than 256 characters without such a place is
 * cut every 256 characters (not exact, but such a run is never ordinary text).
 */
export function encodingPieces(text: string): string[] {
  if (text.length <= PIECE_LENGTH) return [text];
  const pieces: string[] = [];
  let pieceStart = 0;
  let runStart = 0;
  for (let index = 1; index < text.length; index++) {
    const code = text.charCodeAt(index);
    const isWordStart = (code === 32 || code === 9) && !/\s/.test(text.charAt(index - 1));
    if (isWordStart) runStart = index;
    const cut = (isWordStart && index - pieceStart >= PIECE_LENGTH) || index - runStart >= LONGEST_RUN;
    if (!cut) continue;
    pieces.push(text.slice(pieceStart, index));
    pieceStart = index;
    runStart = index;
  }
  pieces.push(text.slice(pieceStart));
  return pieces;
}
