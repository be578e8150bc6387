"""A tiny CLIP-format BPE vocabulary and the token ids an independent Python tokenizer gives for tricky
strings, for test/text/bpe.test.ts.

OpenAI's 49,408-token vocabulary cannot be downloaded here, so this script trains a small one (a plain
frequency-count BPE over a corpus below) and writes it in the Hugging Face layout:
    test/fixtures/bpe/vocab.json    symbol -> id: 256 byte symbols, the same with </w>, merges, specials
    test/fixtures/bpe/merges.txt    "#version: 0.2", then one "a b" merge per line, best first
    test/fixtures/bpe/cases.json    [{text, context, ids, eot}] from the tokenizer below

The tokenizer follows OpenAI's simple_tokenizer semantics but is written without the `regex` module
(not installed): words are cut by a hand-written scanner over unicodedata categories (L* letters,
N* numbers), where the TypeScript code uses a \\p{L}/\\p{N} regular expression. ftfy is not applied
(it leaves well-formed text unchanged).

    /usr/bin/python3 test/reference/bpe.py
"""
import collections
import html
import json
import os
import re
import unicodedata

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "test", "fixtures", "bpe")
SOT, EOT = "<|startoftext|>", "<|endoftext|>"
CONTRACTIONS = ["'s", "'t", "'re", "'ve", "'m", "'ll", "'d"]
N_MERGES = 400


def byte_symbols():
    """byte -> printable character: printable Latin-1 bytes keep their code point, the rest get 256, 257, …"""
    keep = [b for b in range(256) if 0x21 <= b <= 0x7E or 0xA1 <= b <= 0xAC or 0xAE <= b <= 0xFF]
    table, extra = {}, 0
    for b in keep:
        table[b] = chr(b)
    for b in range(256):
        if b not in table:
            table[b] = chr(256 + extra)
            extra += 1
    return table  # insertion order: printable bytes first, as CLIP's vocabulary lists them


BYTES = byte_symbols()


def clean(text):
    text = html.unescape(html.unescape(text)).strip()
    return re.sub(r"\s+", " ", text).strip().lower()


def kind(ch):
    if ch.isspace():
        return "space"
    c = unicodedata.category(ch)[0]
    return {"L": "letter", "N": "number"}.get(c, "other")


def words(text):
    """The pieces CLIP's pattern finds, by scanning: specials, contractions, letter runs, single
    numbers, runs of other non-space characters; whitespace separates and is dropped."""
    out, i, n = [], 0, len(text)
    while i < n:
        special = next((s for s in (SOT, EOT) if text.startswith(s, i)), None)
        if special:
            out.append(special)
            i += len(special)
            continue
        con = next((c for c in CONTRACTIONS if text.startswith(c, i)), None)
        if con:
            out.append(con)
            i += len(con)
            continue
        k = kind(text[i])
        if k == "space":
            i += 1
        elif k == "number":
            out.append(text[i])
            i += 1
        else:
            j = i
            while j < n and kind(text[j]) == k:
                j += 1
            out.append(text[i:j])
            i = j
    return out


def symbols(word):
    s = [BYTES[b] for b in word.encode("utf-8")]
    s[-1] += "</w>"
    return s


def train(corpus):
    freq = collections.Counter()
    for line in corpus:
        for w in words(clean(line)):
            if w not in (SOT, EOT):
                freq[tuple(symbols(w))] += 1
    merges = []
    for _ in range(N_MERGES):
        pairs = collections.Counter()
        for w, f in freq.items():
            for a, b in zip(w, w[1:]):
                pairs[(a, b)] += f
        if not pairs:
            break
        best = max(pairs.items(), key=lambda kv: (kv[1], kv[0]))[0]  # most frequent, ties by the larger pair
        merges.append(best)
        new = collections.Counter()
        for w, f in freq.items():
            out, i = [], 0
            while i < len(w):
                if i + 1 < len(w) and (w[i], w[i + 1]) == best:
                    out.append(w[i] + w[i + 1])
                    i += 2
                else:
                    out.append(w[i])
                    i += 1
            new[tuple(out)] += f
        freq = new
    return merges


def make_vocab(merges):
    base = list(BYTES.values())
    names = base + [s + "</w>" for s in base] + ["".join(m) for m in merges] + [SOT, EOT]
    return dict(zip(names, range(len(names))))  # a repeated name keeps its last id, as OpenAI's dict(zip(…))


def bpe(word, ranks):
    parts = symbols(word)
    while len(parts) > 1:
        scored = [(ranks.get((a, b), float("inf")), i) for i, (a, b) in enumerate(zip(parts, parts[1:]))]
        rank, _ = min(scored)
        if rank == float("inf"):
            break
        a, b = next(p for p, r in ranks.items() if r == rank)
        merged, i = [], 0
        while i < len(parts):
            if i + 1 < len(parts) and parts[i] == a and parts[i + 1] == b:
                merged.append(a + b)
                i += 2
            else:
                merged.append(parts[i])
                i += 1
        parts = merged
    return parts


def encode(text, vocab, ranks, context):
    ids = []
    for w in words(clean(text)):
        ids += [vocab[w]] if w in (SOT, EOT) else [vocab[s] for s in bpe(w, ranks)]
    row = [vocab[SOT]] + ids + [vocab[EOT]]
    if len(row) > context:
        row = row[:context]
        row[-1] = vocab[EOT]
    return row + [0] * (context - len(row)), row.index(vocab[EOT])


CORPUS = [
    "A photo of a cat sitting on the mat. A photo of a dog running in the park.",
    "The quick brown fox jumps over the lazy dog; the dog doesn't care, it's asleep.",
    "We're going to the store, they've already left, I'm staying, you'll see, he'd know.",
    "a red circle left of a blue square, a green triangle above a yellow ring",
    "an image of the city at night, photo of the sky, picture of a mountain lake",
    "In 2024 there were 365 days and 12 months; pi is 3.14159 and e is 2.71828.",
    "Café au lait in Zürich, a naïve façade, crème brûlée. Привет мир! 東京タワー",
    "Emoji time 👍 😀 🎉 — dashes, “quotes”, ‘single’ and ellipsis…",
    "photo photo photo of of of the the the cat cat dog dog a a a",
    "striped background, dotted background, noisy background with shapes",
]

CASES = [
    "A photo of a cat.",
    "  Multiple   spaces\tand\nnewlines \r\n ",
    "don't won't it's we're they've I'm you'll he'd",
    "DON'T SHOUT, IT'S RUDE",
    "'s at the start, rock'n'roll, ''quoted'' and !'s and 'S",
    "Numbers: 2024, 3.14159, 1st 2nd 42nd 1000000",
    "emoji 👍🏽 and 👨‍👩‍👧 family 🎉🎉",
    "café naïve Zürich vs cafe\u0301 (decomposed)",
    "東京タワー and Привет мир and \ufeffBOM",
    "\ufeff a leading BOM is not whitespace to Python\x1f",
    "html &amp; entities &lt;b&gt; &quot;x&quot; &#39;y&#39; &amp;amp; &#x1F600; &#128512; &nbsp;nb &amp &ampx &#65 &#x80;",
    "<|startoftext|>special<|endoftext|> tokens inside, and !!<|endoftext|> glued",
    "<|ENDOFTEXT|> upper-case special",
    "ideographic\u3000space\u00a0nbsp\u2028line\x1cfile\x85next",
    "İstanbul ΟΔΟΣ ΣΑΣ",
    "x²³ ½ Ⅻ ٣ digits",
    "under_score and snake_case_words",
    "hello\u200bworld zero\u200dwidth",
    "",
    "   ",
    "!!!???...,,,;;;",
    "a" * 120,
    "the quick brown fox jumps over the lazy dog " * 12,
]
CONTEXTS = [77, 12]


def main():
    os.makedirs(OUT, exist_ok=True)
    merges = train(CORPUS)
    vocab = make_vocab(merges)
    ranks = {m: i for i, m in reversed(list(enumerate(merges)))}  # a repeated pair keeps its best rank
    with open(os.path.join(OUT, "vocab.json"), "w", encoding="utf-8") as f:
        json.dump(vocab, f, ensure_ascii=False)
    with open(os.path.join(OUT, "merges.txt"), "w", encoding="utf-8") as f:
        f.write("#version: 0.2\n" + "".join(f"{a} {b}\n" for a, b in merges))
    cases = []
    for text in CASES:
        for ctx in CONTEXTS:
            ids, eot = encode(text, vocab, ranks, ctx)
            cases.append({"text": text, "context": ctx, "ids": ids, "eot": eot})
    with open(os.path.join(OUT, "cases.json"), "w", encoding="utf-8") as f:
        json.dump({"sot": vocab[SOT], "eot": vocab[EOT], "cases": cases}, f, ensure_ascii=True, indent=0)
    print(f"wrote {OUT}: {len(merges)} merges, {len(vocab)} symbols, {len(cases)} cases")


if __name__ == "__main__":
    main()
