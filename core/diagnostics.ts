// Diagnostics are data. Every phase returns them; lang/render.ts is the only place that prints them.

/** Half-open range of UTF-16 offsets into one file's text. Line and column are computed only when
 * rendering, so spans stay cheap to make and exact to compare. */
export interface Span {
  readonly start: number;
  readonly end: number;
}

export type Severity = "error" | "warning" | "note";

export interface Label {
  /** The file the span points into; the diagnostic's own file when absent. */
  readonly file?: string;
  readonly span: Span;
  readonly message: string;
}

/** A machine-applicable repair: replace `span` of the diagnostic's file with `replacement`. Editors
 * apply it as a code action and `check --format json` prints it, so neither parses help text. */
export interface Fix {
  /** What the edit does, one short line ("Replace with `train`"). */
  readonly title: string;
  readonly span: Span;
  readonly replacement: string;
}

export interface Diagnostic {
  /** Stable code: SCD1xxx syntax, SCD2xxx names/types/shapes, SCD3xxx sweeps and params, SCD4xxx lowering. */
  readonly code: string;
  readonly severity: Severity;
  /** One self-contained sentence; it must make sense in the one-line `short` output. */
  readonly message: string;
  /** Absent for diagnostics that belong to no file (command line). */
  readonly file?: string;
  readonly span?: Span;
  /** Short text shown under the primary caret. */
  readonly label?: string;
  /** Secondary spans: "declared here", "the teacher's width comes from here". */
  readonly labels?: readonly Label[];
  /** Longer explanation, one note per line in the pretty output. */
  readonly notes?: readonly string[];
  /** What to do about it: "did you mean `lambda`?". */
  readonly help?: string;
  /** Edits that repair it where the checker knows one (a did-you-mean spelling, a missing option). */
  readonly fixes?: readonly Fix[];
}

/** The fix for a misspelt symbol that may stand bare (`blocks`) or quoted (`"blocks"`): a span
 * longer than the word was a string literal, so the replacement is quoted too. */
export function replaceSymbol(span: Span, word: string, guess: string | undefined): Fix[] | undefined {
  if (guess === undefined) return undefined;
  return replaceWith(span, span.end - span.start === word.length ? guess : JSON.stringify(guess));
}

/** The did-you-mean fix: replace the misspelt word at `span` with `guess`. */
export function replaceWith(span: Span, guess: string | undefined): Fix[] | undefined {
  return guess === undefined ? undefined : [{ title: `Replace with \`${guess}\``, span, replacement: guess }];
}

/** Words for a message: `a`, `a and b`, `a, b and c` (`or` for alternatives). */
export function listed(words: readonly string[], conjunction: "and" | "or" = "and"): string {
  return words.length < 2
    ? (words[0] ?? "")
    : `${words.slice(0, -1).join(", ")} ${conjunction} ${words[words.length - 1]}`;
}

export function hasErrors(diags: readonly Diagnostic[]): boolean {
  return diags.some((d) => d.severity === "error");
}

/** Stable order for output: by file, then position, then code. */
export function sortDiagnostics(diags: readonly Diagnostic[]): Diagnostic[] {
  return [...diags].sort(
    (a, b) =>
      (a.file ?? "").localeCompare(b.file ?? "") ||
      (a.span?.start ?? -1) - (b.span?.start ?? -1) ||
      a.code.localeCompare(b.code),
  );
}

/** Edit distance with adjacent transpositions (optimal string alignment), for "did you mean"
 * help: `trian` is one edit from `train`, as a typist would count it. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/** The closest candidate within a distance that scales with the word's length, if any. */
export function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDist = Math.max(1, Math.floor(word.length / 3)) + 1;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDist) {
      best = c;
      bestDist = d;
    }
  }
  return best;
}
