// What the text tower needs from a tokenizer, whichever kind (CLIP BPE, the toy world's words):
// fixed-length rows of ids and where each row's end-of-text token is (the tower pools there).

export interface Encoded {
  /** Row-major [B, contextLength] token ids. */
  readonly ids: Int32Array;
  /** Per row, the position of its first end-of-text token. */
  readonly eotPositions: number[];
}

export interface Tokenizer {
  readonly kind: "bpe" | "word";
  /** One more than the largest id the tokenizer can produce. */
  readonly vocabSize: number;
  readonly sotId: number;
  readonly eotId: number;
  encode(texts: readonly string[], contextLength: number): Encoded;
}

export class TokenizerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TokenizerError";
  }
}

/**
 * Rows as OpenAI's clip.tokenize(truncate=True) builds them: start-of-text, the tokens, end-of-text;
 * cut to `contextLength` with the last kept position overwritten by end-of-text; padded with id 0.
 */
export function packRows(
  rows: readonly (readonly number[])[],
  contextLength: number,
  sotId: number,
  eotId: number,
): Encoded {
  if (!Number.isInteger(contextLength) || contextLength < 2)
    throw new TokenizerError(`context length must be an integer ≥ 2, got ${contextLength}`);
  const L = contextLength,
    ids = new Int32Array(rows.length * L),
    eotPositions: number[] = [];
  rows.forEach((row, b) => {
    const full = [sotId, ...row, eotId];
    if (full.length > L) {
      full.length = L;
      full[L - 1] = eotId;
    }
    ids.set(full, b * L);
    eotPositions.push(full.indexOf(eotId));
  });
  return { ids, eotPositions };
}
