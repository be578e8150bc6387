// The toy world's word tokenizer: ids by hand on small vocabularies (pad 0, unknown 1, words from 2,
// start/end of text at vocabSize − 2 / − 1), truncation as OpenAI's, and every error it can raise.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadTokenizer, saveWordVocabulary } from "../../stdlib/text/load-tokenizer.ts";
import { TokenizerError } from "../../stdlib/text/tokenizer.ts";
import { WordTokenizer } from "../../stdlib/text/word-tokenizer.ts";

const WORDS = ["red", "circle", "blue", "square"]; // ids 2..5

test("ids: words from 2, start/end of text last, pad 0, unknown 1", () => {
  const tok = new WordTokenizer(WORDS);
  assert.is(tok.vocabSize, 8);
  assert.is(tok.sotId, 6);
  assert.is(tok.eotId, 7);
  const r = tok.encode(["A red circle!", "blue, SQUARE and a cat"], 8);
  assert.equal([...r.ids], [6, 1, 2, 3, 7, 0, 0, 0, /**/ 6, 4, 5, 1, 1, 1, 7, 0]);
  assert.equal(r.eotPositions, [4, 6]);
});

test("a larger vocabulary moves only start/end of text", () => {
  const tok = new WordTokenizer(WORDS, { vocabSize: 256 });
  assert.equal([...tok.encode(["square"], 4).ids], [254, 5, 255, 0]);
});

test("splitting: lower-case letter runs; digits, punctuation and spaces separate", () => {
  assert.equal(WordTokenizer.split("3red-Circle's  ZÜRICH\tbig_blue"), ["red", "circle", "s", "zürich", "big", "blue"]);
  assert.equal(WordTokenizer.split("  12 !! "), []);
  assert.equal([...new WordTokenizer(WORDS).encode([""], 3).ids], [6, 7, 0]);
});

test("truncation keeps end-of-text in the last position", () => {
  const tok = new WordTokenizer(WORDS);
  const r = tok.encode(["red circle blue square red"], 4);
  assert.equal([...r.ids], [6, 2, 3, 7]);
  assert.equal(r.eotPositions, [3]);
});

test("unknown words: the unknown id, or an error when asked; listed on request", () => {
  const strict = new WordTokenizer(WORDS, { unknown: "error" });
  assert.throws(
    () => strict.encode(["red cat"], 8),
    (e: unknown) => e instanceof TokenizerError && /unknown word "cat" in "red cat"/.test((e as Error).message),
  );
  assert.equal(new WordTokenizer(WORDS).unknownWords(["red cat", "a cat and a dog"]), ["cat", "a", "and", "dog"]);
});

test("bad vocabularies are refused", () => {
  assert.throws(() => new WordTokenizer(["red", "red"]), /"red" appears twice/);
  assert.throws(() => new WordTokenizer(["Red"]), /must be lower-case letters only/);
  assert.throws(() => new WordTokenizer(["in front"]), /must be lower-case letters only/);
  assert.throws(() => new WordTokenizer(WORDS, { vocabSize: 7 }), /4 words need a vocabulary of at least 8 ids/);
});

test("words.txt next to a checkpoint is found and sized to the text tower", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "scdx-words-"));
  try {
    saveWordVocabulary(dir, WORDS);
    const tok = loadTokenizer(dir, { vocabSize: 16 });
    assert.is(tok.kind, "word");
    assert.equal([...tok.encode(["blue circle"], 5).ids], [14, 4, 3, 15, 0]);
    assert.throws(() => loadTokenizer(dir, { vocabSize: 5 }), /words\.txt: 4 words need a vocabulary of at least 8/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
