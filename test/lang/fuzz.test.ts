// Seeded fuzz test of the checker and the formatter. Every `.scd` under examples/ (globbed at run
// time) plus a few inline snippets is mutated — tokens deleted, duplicated, swapped, replaced;
// bytes garbled (non-ASCII, `"`, `/*`, NUL…); truncation — and each variant goes through
// `compile` (with an in-memory host serving the real sibling files, so imports resolve) and
// `format`. Nothing may throw, every diagnostic must be well formed and point inside its file, a
// returned study means no errors, and formatting is idempotent (checked on every 3rd variant).
//
// Reproduce a failure: the message names the seed, the variant index and the base file; each
// variant's PRNG is seeded from (seed, index) alone, so FUZZ_SEED=<seed> FUZZ_ONLY=<index> reruns
// exactly that variant (as long as the set of examples is the same).
import { test } from "uvu";
import * as assert from "uvu/assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { compile } from "../../lang/compile.ts";
import { format } from "../../lang/format.ts";
import type { Diagnostic, Span } from "../../core/diagnostics.ts";
import type { Host } from "../../lang/program.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const SEED = Number(process.env.FUZZ_SEED ?? 0x5cd0f022);
const ONLY = process.env.FUZZ_ONLY ? Number(process.env.FUZZ_ONLY) : undefined;
const VARIANTS = 10_000;
/** Only ~1 variant in 8 still parses, so formatting twice on every 3rd variant is cheap. */
const FORMAT_TWICE_EVERY = 3;

/** mulberry32: tiny, fast, good enough to pick mutations. */
function mulberry32(a: number): () => number {
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

const files = new Map<string, string>(); // absolute path → text, for the host
for (const p of walk(path.join(root, "examples"))) files.set(p, fs.readFileSync(p, "utf8"));

const snippetDir = path.join(root, "fuzz-snippets");
const snippets: Record<string, string> = {
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

const host: Host = {
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

function mutate(text: string, rnd: () => number): { text: string; ops: string[] } {
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

const bases = [...files.entries()].map(([abs, text]) => ({ abs, text }));

// ---- checks -------------------------------------------------------------------------------------

function spanProblem(span: Span | undefined, text: string | undefined, what: string): string | undefined {
  if (!span) return undefined;
  if (text === undefined) return `${what}: span in a file whose text is unknown`;
  const ok =
    Number.isInteger(span.start) &&
    Number.isInteger(span.end) &&
    0 <= span.start &&
    span.start <= span.end &&
    span.end <= text.length;
  return ok ? undefined : `${what}: span ${JSON.stringify(span)} outside 0..${text.length}`;
}

function diagProblems(
  ds: readonly Diagnostic[],
  textOf: (file: string | undefined) => string | undefined,
  where: string,
): string[] {
  const out: string[] = [];
  for (const d of ds) {
    const tag = `${where} ${d.code} "${d.message}"`;
    if (typeof d.code !== "string" || !/^SCD\d{4}$/.test(d.code)) out.push(`${tag}: bad code`);
    if (typeof d.message !== "string" || d.message.trim() === "") out.push(`${tag}: empty message`);
    if (!["error", "warning", "note"].includes(d.severity)) out.push(`${tag}: bad severity ${d.severity}`);
    const p = spanProblem(d.span, textOf(d.file), tag);
    if (p) out.push(p);
    for (const l of d.labels ?? []) {
      const q = spanProblem(l.span, textOf(l.file ?? d.file), `${tag} label "${l.message}"`);
      if (q) out.push(q);
    }
  }
  return out;
}

/** Everything wrong with one variant; an empty list when it passes. */
function check(abs: string, text: string, formatTwice: boolean): string[] {
  const problems: string[] = [];
  const display = host.display(abs);
  try {
    const r = compile(abs, host, { text });
    const texts = new Map<string, string>();
    for (const f of r.loaded.files.values()) texts.set(f.display, f.text);
    texts.set(display, text);
    problems.push(...diagProblems(r.diagnostics, (f) => (f === undefined ? undefined : texts.get(f)), "compile"));
    if (r.study && r.diagnostics.some((d) => d.severity === "error"))
      problems.push("compile returned a study together with errors");
  } catch (e) {
    problems.push(`compile threw: ${(e as Error)?.stack ?? e}`);
  }
  try {
    const f = format(text, display);
    problems.push(...diagProblems(f.diagnostics, (file) => (file === display ? text : undefined), "format"));
    if (f.output !== undefined && formatTwice) {
      const g = format(f.output, display);
      if (g.output !== f.output)
        problems.push(
          `format is not idempotent: ${JSON.stringify(f.output)} → ${g.output === undefined ? `no output (${g.diagnostics.map((d) => d.code + " " + d.message).join("; ")})` : JSON.stringify(g.output)}`,
        );
    }
  } catch (e) {
    problems.push(`format threw: ${(e as Error)?.stack ?? e}`);
  }
  return problems;
}

function clip(s: string, n = 1500): string {
  return s.length <= n ? s : s.slice(0, n) + `… (${s.length} chars)`;
}

// ---- tests --------------------------------------------------------------------------------------

test("the corpus is there", () => {
  assert.ok(
    bases.length >= Object.keys(snippets).length + 2,
    `examples found: ${bases.length - Object.keys(snippets).length}`,
  );
});

test("the unmutated corpus passes the checks", () => {
  for (const b of bases) {
    const problems = check(b.abs, b.text, true);
    assert.equal(problems, [], `${host.display(b.abs)}:\n${problems.join("\n")}`);
  }
});

test(`${VARIANTS} mutated variants: no throw, well-formed diagnostics, idempotent format`, () => {
  const failures: string[] = [];
  let failed = 0;
  for (let i = 0; i < VARIANTS; i++) {
    if (ONLY !== undefined && i !== ONLY) continue;
    const base = bases[i % bases.length]!;
    const rnd = mulberry32(SEED ^ Math.imul(i + 1, 0x9e3779b9));
    const { text, ops } = mutate(base.text, rnd);
    const problems = check(base.abs, text, i % FORMAT_TWICE_EVERY === 0);
    if (problems.length) {
      failed++;
      if (failures.length < 5)
        failures.push(
          `seed=${SEED} variant=${i} base=${host.display(base.abs)} ops=${ops.join(",")}\n  ${problems.map((p) => clip(p, 600)).join("\n  ")}\n  text=${clip(JSON.stringify(text))}`,
        );
    }
  }
  assert.ok(
    failed === 0,
    `${failed} of ${VARIANTS} variants failed (seed=${SEED}); the first ${failures.length}:\n${failures.join("\n\n")}`,
  );
});

test.run();
