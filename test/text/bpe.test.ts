// The CLIP BPE tokenizer against an independent Python implementation of OpenAI's tokenizer semantics
// (test/reference/bpe.py: a category-scanning word splitter instead of a \p{L} regex) on a tiny
// vocabulary trained by that script and stored in the Hugging Face layout (test/fixtures/bpe/).
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { BpeTokenizer, parseMerges } from "../../stdlib/text/bpe.ts";
import { byteSymbolsInVocabOrder, cleanText, splitWords, unescapeHtml } from "../../stdlib/text/clip-text.ts";
import { loadTokenizer } from "../../stdlib/text/load-tokenizer.ts";
import { TokenizerError } from "../../stdlib/text/tokenizer.ts";
import { repoRoot } from "../support/golden.ts";

const DIR = path.join(repoRoot, "test", "fixtures", "bpe");
interface Case {
  text: string;
  context: number;
  ids: number[];
  eot: number;
}
const ref = JSON.parse(fs.readFileSync(path.join(DIR, "cases.json"), "utf8")) as {
  sot: number;
  eot: number;
  cases: Case[];
};

test("loads vocab.json + merges.txt; specials and vocabulary size", () => {
  const tok = loadTokenizer(DIR);
  assert.is(tok.kind, "bpe");
  assert.is(tok.sotId, ref.sot);
  assert.is(tok.eotId, ref.eot);
  assert.is(tok.vocabSize, ref.eot + 1);
});

test("the byte table equals the one Python wrote into vocab.json (first 256 ids)", () => {
  const vocab = JSON.parse(fs.readFileSync(path.join(DIR, "vocab.json"), "utf8")) as Record<string, number>;
  const byId = new Map(Object.entries(vocab).map(([k, v]) => [v, k]));
  const ours = byteSymbolsInVocabOrder();
  for (let i = 0; i < 256; i++) assert.is(ours[i], byId.get(i), `id ${i}`);
  for (let i = 0; i < 256; i++) assert.is(`${ours[i]}</w>`, byId.get(256 + i), `id ${256 + i}`);
});

test(`every tricky string (${ref.cases.length} cases) gives Python's ids and end-of-text position`, () => {
  const tok = loadTokenizer(DIR);
  for (const c of ref.cases) {
    const r = tok.encode([c.text], c.context);
    assert.equal([...r.ids], c.ids, JSON.stringify(c.text) + ` @${c.context}`);
    assert.equal(r.eotPositions, [c.eot], JSON.stringify(c.text) + ` @${c.context}`);
  }
});

test("a batch is the rows of its texts", () => {
  const tok = loadTokenizer(DIR);
  const cs = ref.cases.filter((c) => c.context === 77);
  const r = tok.encode(
    cs.map((c) => c.text),
    77,
  );
  assert.equal(
    [...r.ids],
    cs.flatMap((c) => c.ids),
  );
  assert.equal(
    r.eotPositions,
    cs.map((c) => c.eot),
  );
});

test("truncation keeps end-of-text last (OpenAI's truncate=True) and long input is cut", () => {
  const tok = loadTokenizer(DIR);
  const r = tok.encode(["the quick brown fox jumps over the lazy dog ".repeat(50)], 77);
  assert.is(r.ids.length, 77);
  assert.is(r.ids[0], tok.sotId);
  assert.is(r.ids[76], tok.eotId);
  assert.equal(r.eotPositions, [76]);
  assert.ok(![...r.ids.slice(1, 76)].includes(tok.eotId));
  assert.throws(() => tok.encode(["x"], 1), /context length must be an integer ≥ 2/);
});

test("cleanup and splitting on their own (hand-checked)", () => {
  assert.is(cleanText("  A\u3000B\u00a0\u00a0C \ufeffD  "), "a b c \ufeffd");
  assert.equal(splitWords("don't 42 !'s <|endoftext|>x"), ["don", "'t", "4", "2", "!'", "s", "<|endoftext|>", "x"]);
  assert.is(
    unescapeHtml("&amp;amp; &lt;b&gt; &#65;&#x42; &ampx &unknown; &#0; &#x80;"),
    "&amp; <b> AB &x &unknown; \ufffd €",
  );
});

test("tokenizer.json (Hugging Face tokenizers) gives the same ids as vocab.json + merges.txt", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "scdx-bpe-"));
  try {
    const vocab = JSON.parse(fs.readFileSync(path.join(DIR, "vocab.json"), "utf8"));
    const merges = parseMerges(fs.readFileSync(path.join(DIR, "merges.txt"), "utf8"), "merges.txt");
    fs.writeFileSync(
      path.join(dir, "tokenizer.json"),
      JSON.stringify({
        model: { type: "BPE", vocab, merges: merges.map((m) => m.join(" ")), end_of_word_suffix: "</w>" },
      }),
    );
    const a = loadTokenizer(dir),
      b = loadTokenizer(DIR);
    const texts = ref.cases.map((c) => c.text);
    assert.equal([...a.encode(texts, 77).ids], [...b.encode(texts, 77).ids]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("bad tokenizer files are TokenizerErrors naming the file and the problem", () => {
  const vocab = new Map([
    ["a", 0],
    ["b", 1],
  ]);
  assert.throws(
    () => new BpeTokenizer(vocab, [], "v.json"),
    (e: unknown) =>
      e instanceof TokenizerError && /v\.json: the vocabulary has no '<\|startoftext\|>'/.test((e as Error).message),
  );
  assert.throws(() => parseMerges("#version: 0.2\na b\nabc\n", "m.txt"), /m\.txt:3: expected two symbols/);
  const tok = new BpeTokenizer(
    new Map([
      ["<|startoftext|>", 0],
      ["<|endoftext|>", 1],
      ["a</w>", 2],
    ]),
    [],
    "v.json",
  );
  assert.equal(tok.tokenize("a"), [2]);
  assert.throws(() => tok.tokenize("b"), /BPE symbol 'b<\/w>' \(from the word 'b'\) is not in the vocabulary/);
  assert.throws(() => loadTokenizer(os.tmpdir() + "/no-such-scdx-dir"), /no tokenizer found/);
});

test.run();
