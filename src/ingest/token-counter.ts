import { Tiktoken } from "js-tiktoken/lite";
import cl100kBase from "js-tiktoken/ranks/cl100k_base";

/** Counts tokens with the cl100k_base BPE that ships inside js-tiktoken (no download). */
export interface TokenCounter {
  count(text: string): number;
  /** Character length of the last `tokenCount` tokens of `text`. */
  tailLength(text: string, tokenCount: number): number;
}

/** Creates a cl100k_base token counter; the encoder is built once per counter (~100 ms). */
export function createTokenCounter(): TokenCounter {
  const encoder = new Tiktoken(cl100kBase);
  return {
    count: (text) => encoder.encode(text, [], []).length,
    tailLength: (text, tokenCount) => (tokenCount <= 0 ? 0 : encoder.decode(encoder.encode(text, [], []).slice(-tokenCount)).length),
  };
}
