// CLIP's byte-level BPE tokenizer (OpenAI simple_tokenizer semantics), read from the Hugging Face
// files vocab.json (symbol → id) + merges.txt (ranked pairs, a "#version" header line), or from a
// tokenizer.json holding the same two tables. A word is UTF-8 encoded, each byte replaced by its
// printable symbol, "</w>" appended to the last symbol, then the lowest-ranked adjacent pair is
// merged everywhere until no ranked pair is left.
import { readFileSync } from "node:fs";
import { bytesToUnicode, cleanText, END_OF_TEXT, splitWords, START_OF_TEXT } from "./clip-text.ts";
import { packRows, TokenizerError, type Encoded, type Tokenizer } from "./tokenizer.ts";

const END_OF_WORD = "</w>";

export class BpeTokenizer implements Tokenizer {
  readonly kind = "bpe" as const;
  readonly vocabSize: number;
  readonly sotId: number;
  readonly eotId: number;
  private readonly ranks = new Map<string, number>();
  private readonly byteSymbol = bytesToUnicode();
  private readonly cache = new Map<string, number[]>();
  private readonly utf8 = new TextEncoder();

  constructor(
    private readonly vocab: ReadonlyMap<string, number>,
    merges: readonly (readonly [string, string])[],
    readonly source = "<memory>",
  ) {
    merges.forEach(([a, b], i) => {
      const k = `${a} ${b}`;
      if (!this.ranks.has(k)) this.ranks.set(k, i);
    });
    const special = (s: string) => {
      const id = vocab.get(s);
      if (id === undefined)
        throw new TokenizerError(`${source}: the vocabulary has no '${s}' token; is this a CLIP tokenizer?`);
      return id;
    };
    this.sotId = special(START_OF_TEXT);
    this.eotId = special(END_OF_TEXT);
    let max = -1;
    for (const id of vocab.values()) max = Math.max(max, id);
    this.vocabSize = max + 1;
    this.cache.set(START_OF_TEXT, [this.sotId]);
    this.cache.set(END_OF_TEXT, [this.eotId]);
  }

  /** Token ids of one text, without start/end tokens or truncation. */
  tokenize(text: string): number[] {
    const out: number[] = [];
    for (const word of splitWords(cleanText(text))) for (const id of this.word(word)) out.push(id);
    return out;
  }

  encode(texts: readonly string[], contextLength: number): Encoded {
    return packRows(
      texts.map((t) => this.tokenize(t)),
      contextLength,
      this.sotId,
      this.eotId,
    );
  }

  /** The BPE symbols of one word (exposed for tests and debugging). */
  symbols(word: string): string[] {
    const bytes = this.utf8.encode(word);
    const syms = Array.from(bytes, (b) => this.byteSymbol[b]!);
    if (syms.length === 0) return [];
    syms[syms.length - 1] += END_OF_WORD;
    for (;;) {
      let best = -1,
        bestRank = Infinity;
      for (let i = 0; i + 1 < syms.length; i++) {
        const r = this.ranks.get(`${syms[i]} ${syms[i + 1]}`);
        if (r !== undefined && r < bestRank) {
          bestRank = r;
          best = i;
        }
      }
      if (best < 0) return syms;
      // merge every occurrence of the winning pair, left to right, without overlaps
      const a = syms[best]!,
        b = syms[best + 1]!,
        merged: string[] = [];
      for (let i = 0; i < syms.length; i++) {
        if (i + 1 < syms.length && syms[i] === a && syms[i + 1] === b) {
          merged.push(a + b);
          i++;
        } else merged.push(syms[i]!);
      }
      syms.splice(0, syms.length, ...merged);
      if (syms.length === 1) return syms;
    }
  }

  private word(word: string): number[] {
    const hit = this.cache.get(word);
    if (hit) return hit;
    const ids = this.symbols(word).map((s) => {
      const id = this.vocab.get(s);
      if (id === undefined)
        throw new TokenizerError(
          `${this.source}: BPE symbol '${s}' (from the word '${word}') is not in the vocabulary`,
        );
      return id;
    });
    if (this.cache.size < 100_000) this.cache.set(word, ids);
    return ids;
  }

  /** From vocab.json + merges.txt contents. */
  static fromFiles(vocabFile: string, mergesFile: string): BpeTokenizer {
    return new BpeTokenizer(
      parseVocab(readJson(vocabFile), vocabFile),
      parseMerges(readFileSync(mergesFile, "utf8"), mergesFile),
      vocabFile,
    );
  }

  /** From a Hugging Face tokenizers `tokenizer.json` with a BPE model. */
  static fromTokenizerJson(file: string): BpeTokenizer {
    const j = readJson(file) as { model?: { type?: string; vocab?: unknown; merges?: unknown } };
    const m = j.model;
    if (m?.type !== "BPE")
      throw new TokenizerError(`${file}: not a BPE tokenizer (model.type is ${JSON.stringify(m?.type)})`);
    if (!Array.isArray(m.merges)) throw new TokenizerError(`${file}: model.merges is not a list`);
    const merges = m.merges.map((x: unknown, i: number) => {
      const pair = typeof x === "string" ? x.split(" ") : x;
      if (!Array.isArray(pair) || pair.length !== 2 || !pair.every((p) => typeof p === "string"))
        throw new TokenizerError(`${file}: merge ${i} is malformed: ${JSON.stringify(x)}`);
      return pair as [string, string];
    });
    return new BpeTokenizer(parseVocab(m.vocab, file), merges, file);
  }
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new TokenizerError(`${file}: cannot read as JSON: ${(e as Error).message}`);
  }
}

export function parseVocab(v: unknown, file: string): Map<string, number> {
  if (typeof v !== "object" || v === null || Array.isArray(v))
    throw new TokenizerError(`${file}: the vocabulary must be a JSON object mapping tokens to ids`);
  const out = new Map<string, number>();
  for (const [k, id] of Object.entries(v as Record<string, unknown>)) {
    if (!Number.isInteger(id) || (id as number) < 0)
      throw new TokenizerError(
        `${file}: token ${JSON.stringify(k)} has id ${JSON.stringify(id)}, not a non-negative integer`,
      );
    out.set(k, id as number);
  }
  return out;
}

/** merges.txt: an optional "#version" first line, then one "a b" pair per line, best first. */
export function parseMerges(text: string, file: string): [string, string][] {
  const lines = text.split(/\r?\n/);
  const out: [string, string][] = [];
  lines.forEach((line, i) => {
    if (line === "" || (i === 0 && line.startsWith("#version"))) return;
    const parts = line.split(" ");
    if (parts.length !== 2 || !parts[0] || !parts[1])
      throw new TokenizerError(
        `${file}:${i + 1}: expected two symbols separated by one space, found ${JSON.stringify(line)}`,
      );
    out.push([parts[0], parts[1]]);
  });
  return out;
}
