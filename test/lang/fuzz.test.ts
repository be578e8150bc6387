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
import { compile } from "../../lang/compile.ts";
import { format } from "../../lang/format.ts";
import type { Diagnostic, Span } from "../../core/diagnostics.ts";
import { bases, host, mulberry32, mutate, snippets } from "../support/fuzz-corpus.ts";

const SEED = Number(process.env.FUZZ_SEED ?? 0x5cd0f022);
const ONLY = process.env.FUZZ_ONLY ? Number(process.env.FUZZ_ONLY) : undefined;
const VARIANTS = 10_000;
/** Only ~1 variant in 8 still parses, so formatting twice on every 3rd variant is cheap. */
const FORMAT_TWICE_EVERY = 3;

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
