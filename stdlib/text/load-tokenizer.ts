// Finding the tokenizer that belongs to a checkpoint: the files sit next to the weights, as on the
// Hugging Face hub. CLIP BPE: vocab.json + merges.txt, else tokenizer.json; the toy world's word
// tokenizer: words.txt (one word per line, in id order from 2).
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { BpeTokenizer } from "./bpe.ts";
import { TokenizerError, type Tokenizer } from "./tokenizer.ts";
import { WordTokenizer } from "./word-tokenizer.ts";

export const WORDS_FILE = "words.txt";

/** Every file loadTokenizer may read next to a checkpoint. */
export const TOKENIZER_FILES: readonly string[] = ["vocab.json", "merges.txt", "tokenizer.json", WORDS_FILE];

/** `path`: a checkpoint directory or a file inside one. `vocabSize` sizes a word tokenizer to its text tower. */
export function loadTokenizer(path: string, opts: { vocabSize?: number } = {}): Tokenizer {
  const dir = existsSync(path) && !statSync(path).isDirectory() ? dirname(path) : path;
  const at = (f: string) => join(dir, f);
  if (existsSync(at("vocab.json")) && existsSync(at("merges.txt")))
    return BpeTokenizer.fromFiles(at("vocab.json"), at("merges.txt"));
  if (existsSync(at("tokenizer.json"))) return BpeTokenizer.fromTokenizerJson(at("tokenizer.json"));
  if (existsSync(at(WORDS_FILE))) {
    const words = readFileSync(at(WORDS_FILE), "utf8")
      .split(/\r?\n/)
      .filter((w) => w !== "");
    try {
      return new WordTokenizer(words, { vocabSize: opts.vocabSize });
    } catch (e) {
      if (e instanceof TokenizerError) throw new TokenizerError(`${at(WORDS_FILE)}: ${e.message}`);
      throw e;
    }
  }
  throw new TokenizerError(
    `${dir}: no tokenizer found (looked for vocab.json + merges.txt, tokenizer.json, ${WORDS_FILE})`,
  );
}

/** Writes a word tokenizer's list where loadTokenizer finds it. */
export function saveWordVocabulary(dir: string, words: readonly string[]): string {
  const file = join(dir, WORDS_FILE);
  writeFileSync(file, words.join("\n") + "\n");
  return file;
}
