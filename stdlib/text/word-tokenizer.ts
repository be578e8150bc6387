// The toy world's tokenizer: one id per word of a fixed list. Ids: 0 pad, 1 unknown word, the list
// from 2, and the last two ids of the vocabulary start-of-text (vocabSize − 2) and end-of-text
// (vocabSize − 1), the places CLIP's own vocabulary keeps them (clip-arch.ts pools at vocabSize − 1).
import { packRows, TokenizerError, type Encoded, type Tokenizer } from "./tokenizer.ts";

export const PAD_ID = 0;
export const UNKNOWN_ID = 1;
const FIRST_WORD = 2;
const LETTERS = /\p{L}+/gu;

export interface WordTokenizerOptions {
  /** Size of the text tower's vocabulary; default the smallest that fits (words + 4). */
  readonly vocabSize?: number;
  /** What a word outside the list becomes: the unknown id (default) or an error. */
  readonly unknown?: "id" | "error";
}

export class WordTokenizer implements Tokenizer {
  readonly kind = "word" as const;
  readonly vocabSize: number;
  readonly sotId: number;
  readonly eotId: number;
  private readonly ids = new Map<string, number>();
  private readonly unknown: "id" | "error";

  constructor(
    readonly words: readonly string[],
    opts: WordTokenizerOptions = {},
  ) {
    words.forEach((w, i) => {
      // a word the splitter cannot produce would silently never be used
      if (w !== w.toLowerCase() || !/^\p{L}+$/u.test(w))
        throw new TokenizerError(`word ${i} (${JSON.stringify(w)}) must be lower-case letters only`);
      if (this.ids.has(w)) throw new TokenizerError(`word ${JSON.stringify(w)} appears twice in the vocabulary`);
      this.ids.set(w, FIRST_WORD + i);
    });
    const need = words.length + 4;
    this.vocabSize = opts.vocabSize ?? need;
    if (!Number.isInteger(this.vocabSize) || this.vocabSize < need)
      throw new TokenizerError(
        `${words.length} words need a vocabulary of at least ${need} ids (pad, unknown, words, start, end), got ${opts.vocabSize}`,
      );
    this.sotId = this.vocabSize - 2;
    this.eotId = this.vocabSize - 1;
    this.unknown = opts.unknown ?? "id";
  }

  /** The words of a text: lower-cased letter runs; everything else separates them. */
  static split(text: string): string[] {
    return text.toLowerCase().match(LETTERS) ?? [];
  }

  /** Words of `texts` outside the vocabulary, each once, in order of appearance. */
  unknownWords(texts: readonly string[]): string[] {
    const seen = new Set<string>();
    for (const t of texts) for (const w of WordTokenizer.split(t)) if (!this.ids.has(w)) seen.add(w);
    return [...seen];
  }

  tokenize(text: string): number[] {
    return WordTokenizer.split(text).map((w) => {
      const id = this.ids.get(w);
      if (id !== undefined) return id;
      if (this.unknown === "error")
        throw new TokenizerError(`unknown word ${JSON.stringify(w)} in ${JSON.stringify(text)}`);
      return UNKNOWN_ID;
    });
  }

  encode(texts: readonly string[], contextLength: number): Encoded {
    return packRows(
      texts.map((t) => this.tokenize(t)),
      contextLength,
      this.sotId,
      this.eotId,
    );
  }
}
