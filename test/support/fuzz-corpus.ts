// The language fuzz corpus: every `.scd` under examples/ plus inline snippets, served from memory,
// and the seeded mutations applied to them (tokens deleted, duplicated, swapped, replaced; bytes
// garbled; truncation). Shared by the checker's fuzz test (test/lang/fuzz.test.ts) and the language
// server's (test/runtime/lsp/fuzz.test.ts), so both face the same inputs.
import * as fs from "node:fs";
import * as path from "node:path";
import type { Host } from "../../lang/program.ts";
import { repoRoot as root } from "./golden.ts";

/** mulberry32: tiny, fast, good enough to pick mutations. */
export function mulberry32(a: number): () => number {
  return () => {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---- the corpus: all examples (real files, served from memory) and inline snippets ------------

function walk(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => {
      const p = path.join(dir, e.name);
      return e.isDirectory() ? walk(p) : e.name.endsWith(".scd") ? [p] : [];
    })
    .sort();
}

export const files = new Map<string, string>(); // absolute path → text, for the host
for (const p of walk(path.join(root, "examples"))) files.set(p, fs.readFileSync(p, "utf8"));

export const snippetDir = path.join(root, "fuzz-snippets");
export const snippets: Record<string, string> = {
  "minimal.scd":
    "experiment tiny\nmodel base = clip(arch: vit_tiny)\ndata val = shapes(images: 8, size: 64, seed: 2)\nbench b = unsupervised_segmentation(base, val)\n",
  "common.scd":
    "// shared\nparam tau = 0.2 in (0, 1]\nparam lambda = 0.5 in [0, 4]\ndata train = shapes(images: 16, size: 64, seed: 1)\nmodel base = clip(arch: vit_tiny)\nlet teacher = frozen(base)\n",
  "sweeps.scd": [
    "experiment sweeps",
    'import "common.scd"',
    "/* a block comment\n   over two lines */",
    "stage distill = train(teacher) {",
    "  trainable = blocks; data = train",
    "  loss = rla(teacher, grid: 1..4) + lambda * scd(teacher, tau: tau, k: 4)",
    "  optim = adamw(lr: 2e-4, weight_decay: 0.1, betas: [0.9, 0.98], eps: 1e-6, warmup: 4, schedule: cosine)",
    "  steps = 10; batch = 4",
    "}",
    "bench spatial = unsupervised_segmentation(distill.model, train)",
    "sweep grid(seed: [1, 2]) * zip(lambda: [0, 0.5], tau: [0.1, 0.2]) + [{lambda: 1, tau: 0.3, seed: 3}]",
    "",
  ].join("\n"),
  "strings.scd": [
    'experiment "not an identifier"',
    'import "no/such/file.scd"',
    'data d = coco(images: "a\\tb\\n\\"c\\" \\u{1F600} \\u{110000} \\q", annotations: "x", size: -(1 + 2) * 3 / 4)',
    "param p = -1.5e3 in (-1e9, 0]",
    'let r = {a: 1, b: [true, false], c: {d: "é"}}.c.d',
    "sweep [{p: -2}, {p: -3}]",
    "",
  ].join("\n"),
  "cycle.scd":
    'import "cycle.scd"\nimport "common.scd"\nimport "common.scd"\nparam tau = 1\nlet tau = 2\nsweep grid(tau: [1])\nexperiment late\n',
};
for (const [name, text] of Object.entries(snippets)) files.set(path.join(snippetDir, name), text);

export const host: Host = {
  readFile: (abs) => files.get(abs),
  display: (abs) => path.relative(root, abs) || abs,
};

// ---- mutation -----------------------------------------------------------------------------------

interface Tok {
  start: number;
  end: number;
}
/** Comments, strings (closed or not), numbers, words, `..`, then any other single character. */
const TOKEN =
  /\/\/[^\n]*|\/\*[\s\S]*?(?:\*\/|$)|"(?:[^"\\\n]|\\.)*"?|\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|[A-Za-z_]\w*|\.\.|[^\s]/g;
function tokenise(text: string): Tok[] {
  return [...text.matchAll(TOKEN)].map((m) => ({ start: m.index!, end: m.index! + m[0].length }));
}

const GARBAGE = [
  '"',
  "/*",
  "*/",
  "//",
  "\0",
  "\\",
  "\\u{",
  "é",
  "λ",
  "→",
  "😀",
  "\ud800",
  "\udfff",
  "\u2028",
  "\ufeff",
  "\r",
  "\r\n",
  "\n",
  "\t",
  " ",
  "{",
  "}",
  "(",
  ")",
  "[",
  "]",
  ",",
  ":",
  ";",
  "=",
  "..",
  ".",
  "-",
  "+",
  "*",
  "/",
  "0",
  "9e99",
  "1e-400",
  "x",
  "in",
  "sweep",
  "stage",
  "\x7f",
  "#",
  "@",
];

export function mutate(text: string, rnd: () => number): { text: string; ops: string[] } {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const int = (n: number) => Math.floor(rnd() * n);
  const ops: string[] = [];
  const rounds = 1 + int(3);
  for (let r = 0; r < rounds; r++) {
    const toks = tokenise(text);
    const kind = int(toks.length ? 7 : 2);
    if (kind === 0) {
      // truncate
      const at = int(text.length + 1);
      text = text.slice(0, at);
      ops.push(`truncate@${at}`);
    } else if (kind === 1) {
      // garble: insert or overwrite a few random bytes
      const at = int(text.length + 1),
        n = int(3);
      let junk = "";
      for (let k = 0, m = 1 + int(3); k < m; k++)
        junk += rnd() < 0.8 ? pick(GARBAGE) : String.fromCharCode(int(0x10000));
      text = text.slice(0, at) + junk + text.slice(at + n);
      ops.push(`garble@${at}`);
    } else {
      const i = int(toks.length),
        t = toks[i]!,
        s = text.slice(t.start, t.end);
      if (kind === 2 || kind === 3) {
        // delete (twice as likely)
        text = text.slice(0, t.start) + text.slice(t.end);
        ops.push(`delete#${i}`);
      } else if (kind === 4) {
        // duplicate
        text = text.slice(0, t.end) + (rnd() < 0.5 ? " " : "") + s + text.slice(t.end);
        ops.push(`dup#${i}`);
      } else if (kind === 5 && i + 1 < toks.length) {
        // swap with the next token
        const u = toks[i + 1]!;
        text = text.slice(0, t.start) + text.slice(u.start, u.end) + text.slice(t.end, u.start) + s + text.slice(u.end);
        ops.push(`swap#${i}`);
      } else {
        // replace by another token of the same text
        const u = pick(toks);
        text = text.slice(0, t.start) + text.slice(u.start, u.end) + text.slice(t.end);
        ops.push(`replace#${i}`);
      }
    }
  }
  return { text, ops };
}

export const bases = [...files.entries()].map(([abs, text]) => ({ abs, text }));
