// Loading a study: the main file, its imports (transitively, each file once), and one scope of
// top-level names across all of them. Trial-independent checks live here: duplicate names, import
// cycles and missing files, where `experiment` and `sweep` may stand.
import * as path from "node:path";
import type * as A from "./ast.ts";
import type { ParseResult } from "./build-ast.ts";
import { parseIncremental, type Pieces } from "./incremental-parse.ts";
import type { Diagnostic } from "../core/diagnostics.ts";
import { registry } from "../stdlib/registry.ts";

/** How the compiler reads files; tests and the fuzzer pass an in-memory one. */
export interface Host {
  readFile(absPath: string): string | undefined;
  /** Whether a file or folder exists (weights, annotations); hosts without it skip that check. */
  exists?(absPath: string): boolean;
  /** Turns an absolute path into the form shown in diagnostics (relative to the cwd, say). */
  display(absPath: string): string;
}

export interface SourceFile {
  readonly path: string;
  readonly display: string;
  readonly text: string;
  readonly program: A.Program;
  readonly isMain: boolean;
}

export type NamedDecl = A.ParamDecl | A.BindingDecl | A.StageDecl;

export interface Binding {
  readonly decl: NamedDecl;
  readonly file: SourceFile;
}

export interface LoadedStudy {
  readonly main: SourceFile;
  readonly files: ReadonlyMap<string, SourceFile>;
  readonly scope: ReadonlyMap<string, Binding>;
  readonly experiment: string;
  readonly sweep?: { readonly decl: A.SweepDecl; readonly file: SourceFile };
  readonly diagnostics: Diagnostic[];
  /** Names that a declaration keyword introduces in text that failed to parse: references to
   * them are not reported again as unknown names (one mistake, one diagnostic). */
  readonly brokenNames: ReadonlySet<string>;
}

// `train` is no call (it only follows `stage NAME =`), so `data train = …` stays possible, as in DESIGN.md.
const builtinNames = new Set(["frozen", "grid", "zip"]);

/** Declarations may not hide a component or built-in (its calls would become impossible), and
 * `seed` names the study's seed param only. */
function reservedName(d: NamedDecl): string | undefined {
  if (d.name === "seed" && d.kind !== "param")
    return "`seed` is the study's seed param; declare it as `param seed = …`, or use another name.";
  if (registry.has(d.name) || builtinNames.has(d.name))
    return `\`${d.name}\` is the name of a ${registry.get(d.name)?.kind ?? "built-in"} component; a declaration may not hide it.`;
  return undefined;
}

// The last parse of each file (by display path), reused while its text is unchanged: the AST is
// immutable plain data, so one parse serves every study that loads the same text — an editor
// re-checking the studies that import an unchanged `common.scd`, or `check` given several files
// importing it. Files are parsed one declaration at a time (incremental-parse.ts; same result as a
// whole parse), and when the text of a file changes (an editor's keystroke) only the declarations
// whose text changed are parsed again. One entry per file, so memory stays bounded by the file count.
const parsed = new Map<string, { text: string; result: ParseResult; pieces: Pieces }>();
const PARSED_FILES_MAX = 256;
function parseCached(text: string, display: string): ParseResult {
  const hit = parsed.get(display);
  if (hit?.text === text) return hit.result;
  // In pieces even the first time: a 10,000-line study parses ~2× faster one declaration at a time
  // than whole (perf/check.ts), and the pieces are there for the next edit.
  const { result, pieces } = parseIncremental(text, display, hit?.pieces ?? new Map());
  parsed.delete(display);
  if (parsed.size >= PARSED_FILES_MAX) parsed.delete(parsed.keys().next().value as string);
  parsed.set(display, { text, result, pieces });
  return result;
}

export function loadStudy(mainPath: string, host: Host, mainText?: string): LoadedStudy {
  const diags: Diagnostic[] = [];
  const files = new Map<string, SourceFile>();
  const scope = new Map<string, Binding>();
  let sweep: LoadedStudy["sweep"];
  let experiment: string | undefined;
  const brokenNames = new Set<string>();

  const load = (abs: string, text: string, isMain: boolean, stack: string[]): SourceFile => {
    const display = host.display(abs);
    const { program, diagnostics } = parseCached(text, display);
    diags.push(...diagnostics);
    if (diagnostics.length)
      for (const m of text.matchAll(/\b(?:param|data|model|let|stage|bench)\s+([A-Za-z_][A-Za-z0-9_]*)/g))
        brokenNames.add(m[1]!);
    const file: SourceFile = { path: abs, display, text, program, isMain };
    files.set(abs, file);
    program.decls.forEach((d, i) => {
      if (d.kind === "experiment") {
        if (i !== 0)
          diags.push({
            code: "SCD2014",
            severity: "error",
            file: display,
            span: d.span,
            message: "`experiment` must be the first declaration of its file.",
            label: "move this to the top",
          });
        if (isMain && experiment === undefined) experiment = d.name;
      } else if (d.kind === "sweep") {
        if (!isMain)
          diags.push({
            code: "SCD2013",
            severity: "error",
            file: display,
            span: d.span,
            message: "A `sweep` may only stand in the study's main file, not in an imported one.",
            notes: ["imported files share data, models and stages; each study decides its own sweep"],
          });
        else if (sweep)
          diags.push({
            code: "SCD3010",
            severity: "error",
            file: display,
            span: d.span,
            message: "A study has one `sweep`; combine sweeps with `*`.",
            labels: [{ span: sweep.decl.span, message: "the first sweep" }],
            help: "e.g. sweep grid(seed: [1, 2, 3]) * zip(lambda: [0.5, 1], tau: [0.1, 0.2])",
          });
        else sweep = { decl: d, file };
      } else if (d.kind === "import") {
        const target = path.resolve(path.dirname(abs), d.path);
        if (stack.includes(target)) {
          diags.push({
            code: "SCD2012",
            severity: "error",
            file: display,
            span: d.pathSpan,
            message: `Import cycle: ${[...stack.slice(stack.indexOf(target)), target].map((p) => host.display(p)).join(" → ")}.`,
          });
          return;
        }
        if (files.has(target)) return; // a diamond: each file is loaded once
        const t = host.readFile(target);
        if (t === undefined) {
          diags.push({
            code: "SCD2011",
            severity: "error",
            file: display,
            span: d.pathSpan,
            message: `Cannot read the imported file \`${d.path}\`.`,
            label: `looked for ${host.display(target)}`,
          });
          return;
        }
        load(target, t, false, [...stack, target]);
      } else {
        const prev = scope.get(d.name);
        const reserved = reservedName(d);
        if (reserved)
          diags.push({
            code: "SCD2002",
            severity: "error",
            file: display,
            span: d.nameSpan,
            message: reserved,
            help: "choose another name",
          });
        else if (prev) {
          diags.push({
            code: "SCD2002",
            severity: "error",
            file: display,
            span: d.nameSpan,
            message: `\`${d.name}\` is declared twice.`,
            label: "declared again here",
            labels: [{ file: prev.file.display, span: prev.decl.nameSpan, message: "first declared here" }],
          });
        } else scope.set(d.name, { decl: d, file });
      }
    });
    return file;
  };

  const abs = path.resolve(mainPath);
  const text = mainText ?? host.readFile(abs);
  const main = load(abs, text ?? "", true, [abs]);
  return {
    main,
    files,
    scope,
    experiment: experiment ?? path.basename(abs).replace(/\.scd$/, ""),
    sweep,
    diagnostics: diags,
    brokenNames,
  };
}

/** The renderer's view of a study's files: display path → text. */
export function sourceLookup(study: LoadedStudy): (display: string) => string | undefined {
  const texts = new Map([...study.files.values()].map((f) => [f.display, f.text]));
  return (p) => texts.get(p);
}
export function forgetParses(): void {
  parsed.clear();
}
