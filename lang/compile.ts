// The facade: source files → checked trials → IR study. Pure apart from reading files through the
// host; never throws for anything a user can write (the fuzz test holds it to that).
import * as fs from "node:fs";
import * as path from "node:path";
import type * as A from "./ast.ts";
import { parse } from "./build-ast.ts";
import { constant } from "./constant.ts";
import { didYouMean, hasErrors, sortDiagnostics, type Diagnostic } from "../core/diagnostics.ts";
import { SEED } from "./deps.ts";
import { StudyEvaluator } from "./evaluate.ts";
import { reachable, stageRoots, type IrNode, type Json, type NodeKey, type Study, type Trial } from "../core/ir.ts";
import { loadStudy, type Host, type LoadedStudy } from "./program.ts";
import { expandSweep, type Point } from "./sweep.ts";
import { showJson, toJson, type Value } from "./values.ts";

export interface CompileOptions {
  /** `--set name=value` overrides, applied to every trial after the sweep. */
  readonly sets?: readonly string[];
  /** Text of the main file, when it is not to be read from disk (fuzzing, editors). */
  readonly text?: string;
  /** Report files that options name (weights, annotations) and that do not exist: `run` and
   * `export` need them; `check` does not (a study for a GPU server checks on a laptop too). */
  readonly checkFiles?: boolean;
  /** An earlier check of the same file (an editor's, before the last keystroke): declarations the
   * edit did not touch are not evaluated again (eval-trace.ts). The result is the same. */
  readonly previous?: CompileResult;
}

export interface CompileResult {
  readonly study?: Study;
  readonly diagnostics: Diagnostic[];
  /** Problems with the command line itself (bad --set): exit code 2. */
  readonly usageErrors: string[];
  readonly loaded: LoadedStudy;
  /** The checker's memo, for `previous` of the next check. */
  readonly evaluator?: StudyEvaluator;
}

export const fsHost: Host = {
  readFile(p) {
    try {
      return fs.readFileSync(p, "utf8");
    } catch {
      return undefined;
    }
  },
  exists: (p) => fs.existsSync(p),
  display(p) {
    const r = path.relative(process.cwd(), p);
    return r.startsWith("..") || path.isAbsolute(r) ? p : r;
  },
};

const MAX_INT = 2 ** 31 - 1;

interface ParamInfo {
  readonly name: string;
  readonly decl?: A.ParamDecl;
  readonly file: string;
  readonly value: Value;
  readonly lo?: { value: number; closed: boolean };
  readonly hi?: { value: number; closed: boolean };
}

export function compile(mainPath: string, host: Host = fsHost, opts: CompileOptions = {}): CompileResult {
  const loaded = loadStudy(mainPath, host, opts.text);
  const diags: Diagnostic[] = [...loaded.diagnostics];
  const usageErrors: string[] = [];

  // Params: declared ones plus the implicit `seed`, each with its default and interval.
  const params = new Map<string, ParamInfo>();
  for (const [name, b] of loaded.scope) {
    if (b.decl.kind !== "param") continue;
    const d = b.decl;
    const file = b.file.display;
    const value = constant(d.value, file, diags);
    let lo: ParamInfo["lo"], hi: ParamInfo["hi"];
    if (d.range) {
      const l = constant(d.range.lo, file, diags),
        h = constant(d.range.hi, file, diags);
      if (l.type === "number" && h.type === "number") {
        if (l.value > h.value)
          diags.push({
            code: "SCD3007",
            severity: "error",
            file,
            span: d.range.span,
            message: `The interval of \`${name}\` is empty: ${l.value} is greater than ${h.value}.`,
          });
        else {
          lo = { value: l.value, closed: d.range.loClosed };
          hi = { value: h.value, closed: d.range.hiClosed };
        }
      } else if (l.type !== "error" && h.type !== "error")
        diags.push({
          code: "SCD3007",
          severity: "error",
          file,
          span: d.range.span,
          message: `The bounds of \`${name}\`'s interval must be numbers.`,
        });
    }
    params.set(name, { name, decl: d, file, value, lo, hi });
  }
  if (!params.has(SEED))
    params.set(SEED, {
      name: SEED,
      file: loaded.main.display,
      value: { type: "number", value: 0, span: { start: 0, end: 0 } },
      lo: { value: 0, closed: true },
      hi: { value: MAX_INT, closed: true },
    });
  for (const p of params.values())
    if (p.decl && p.value.type !== "error") checkParamValue(p, p.value, p.file, diags, "SCD3008");

  // Trials: the sweep's points (one empty point without a sweep), then --set on top.
  let points: Point[] = [new Map()];
  // A broken sweep is reported; checking goes on with the defaults so the rest is reported too.
  if (loaded.sweep)
    points = expandSweep(loaded.sweep.decl.value, loaded.sweep.file.display, [...params.keys()], diags, (name) => {
      const p = params.get(name);
      return p?.lo && p.hi ? { lo: p.lo.value, hi: p.hi.value, loOpen: !p.lo.closed, hiOpen: !p.hi.closed } : undefined;
    }) ?? [new Map()];
  const sets = parseSets(opts.sets ?? [], params, usageErrors);
  if (sets.size) points = points.map((p) => new Map([...p, ...sets]));
  // Trials with equal param values (after defaults and --set) are one trial.
  const seenPoints = new Set<string>();
  points = points.filter((p) => {
    const id = JSON.stringify([...params.keys()].map((k) => toJson(p.get(k) ?? params.get(k)!.value) ?? null));
    return !seenPoints.has(id) && !!seenPoints.add(id);
  });
  if (usageErrors.length) return { diagnostics: sortDiagnostics(diags), usageErrors, loaded };

  const ev = new StudyEvaluator(
    loaded,
    opts.checkFiles && host.exists ? (p) => host.exists!(p) : undefined,
    opts.previous?.evaluator,
  );
  const found = new Map<string, { d: Diagnostic; trials: number[] }>();
  const trials: Trial[] = [];
  const sweepFile = loaded.sweep?.file.display ?? loaded.main.display;
  points.forEach((point, i) => {
    const values = new Map<string, Value>();
    const trialDiags: Diagnostic[] = [];
    for (const p of params.values()) {
      const v = point.get(p.name);
      if (v) {
        const fromSet = sets.has(p.name);
        checkParamValue(p, v, fromSet ? undefined : sweepFile, trialDiags, "SCD3002", fromSet);
      }
      values.set(p.name, v ?? p.value);
    }
    const stages: Record<string, NodeKey> = {};
    if (!trialDiags.some((d) => d.severity === "error")) {
      for (const [name, b] of loaded.scope) {
        const ent = ev.entry(name, values);
        trialDiags.push(...ent.diags);
        if ((ent.value.type === "stage" || ent.value.type === "bench") && b.file.isMain) stages[name] = ent.value.key;
      }
    }
    for (const d of trialDiags) {
      // One diagnostic per place and kind, however many trials hit it (its message may differ by trial).
      const id = `${d.code}|${d.file}|${d.span?.start}|${d.span?.end}`;
      const f = found.get(id);
      if (f) f.trials.push(i);
      else found.set(id, { d, trials: [i] });
    }
    const paramJson: Record<string, Json> = {};
    for (const [k, v] of values) paramJson[k] = toJson(v) ?? null;
    trials.push({ index: i, params: paramJson, stages });
  });
  const swept = [...params.keys()].filter((k) => new Set(trials.map((t) => JSON.stringify(t.params[k]))).size > 1);
  for (const { d, trials: ts } of found.values()) {
    if (ts.length === points.length || points.length === 1) diags.push(d);
    else {
      const shown = (i: number) => {
        const t = trials[i]!;
        return `(${(swept.length ? swept : Object.keys(t.params)).map((k) => `${k} = ${showJson(t.params[k]!)}`).join(", ")})`;
      };
      let note = `in trial ${ts[0]! + 1} of ${points.length} ${shown(ts[0]!)}`;
      if (ts.length > 1) {
        const listed = ts
          .slice(1, 4)
          .map((i) => `${i + 1} ${shown(i)}`)
          .join("; ");
        note += `, and ${ts.length - 1} more trial${ts.length > 2 ? "s" : ""}: ${listed}${ts.length > 4 ? "; …" : ""}`;
      }
      diags.push({ ...d, notes: [...(d.notes ?? []), note] });
    }
  }
  if (hasErrors(diags)) return { diagnostics: sortDiagnostics(diags), usageErrors, loaded, evaluator: ev };
  const study = assemble(loaded, ev.nodes, trials, swept);
  return { study, diagnostics: sortDiagnostics(diags), usageErrors, loaded, evaluator: ev };
}

function checkParamValue(
  p: ParamInfo,
  v: Value,
  file: string | undefined,
  out: Diagnostic[],
  code: string,
  fromSet = false,
): void {
  const where = fromSet ? " (from --set)" : "";
  if (v.type === "error") return;
  const want = p.value.type === "symbol" || p.value.type === "string" ? ["symbol", "string"] : [p.value.type];
  if (!want.includes(v.type)) {
    out.push({
      code: "SCD3005",
      severity: "error",
      file: fromSet ? undefined : file,
      span: fromSet ? undefined : v.span,
      message: `\`${p.name}\`${where} must be ${p.value.type === "number" ? "a number" : `like its default \`${showJson(toJson(p.value) ?? null)}\``}, got \`${showJson(toJson(v) ?? null)}\`.`,
    });
    return;
  }
  if (v.type !== "number") {
    if (p.name === SEED)
      out.push(
        paramIssue(
          p,
          v,
          file,
          code,
          fromSet,
          `\`seed\`${where} must be an integer, got \`${showJson(toJson(v) ?? null)}\`.`,
        ),
      );
    return;
  }
  const x = v.value;
  const below = p.lo && (p.lo.closed ? x < p.lo.value : x <= p.lo.value);
  const above = p.hi && (p.hi.closed ? x > p.hi.value : x >= p.hi.value);
  if (below || above) {
    const iv = `${p.lo?.closed ? "[" : "("}${p.lo?.value}, ${p.hi?.value}${p.hi?.closed ? "]" : ")"}`;
    out.push(
      paramIssue(
        p,
        v,
        file,
        code,
        fromSet,
        `\`${p.name}\`${where} = ${x} is outside its interval ${iv}.`,
        `outside ${iv}`,
      ),
    );
  }
  if (p.name === SEED && (!Number.isInteger(x) || x < 0 || x > MAX_INT))
    out.push(
      paramIssue(p, v, file, code, fromSet, `\`seed\`${where} must be an integer in [0, ${MAX_INT}], got ${x}.`),
    );
}

// A function, not a closure made per param and trial (tsx keeps function names: each costs).
function paramIssue(
  p: ParamInfo,
  v: Value,
  file: string | undefined,
  code: string,
  fromSet: boolean,
  message: string,
  label?: string,
): Diagnostic {
  return {
    code,
    severity: "error",
    file: fromSet ? undefined : file,
    span: fromSet ? undefined : v.span,
    message,
    label,
    labels:
      p.decl && file !== undefined
        ? [{ file: p.file, span: p.decl.nameSpan, message: "param declared here" }]
        : undefined,
  };
}

function parseSets(
  sets: readonly string[],
  params: ReadonlyMap<string, ParamInfo>,
  errors: string[],
): Map<string, Value> {
  const out = new Map<string, Value>();
  for (const s of sets) {
    const eq = s.indexOf("=");
    const name = s.slice(0, eq).trim();
    if (eq < 1) {
      errors.push(`--set expects name=value, got \`${s}\``);
      continue;
    }
    if (!params.has(name)) {
      const guess = didYouMean(name, params.keys());
      errors.push(
        `--set ${name}: there is no param \`${name}\`${guess ? `; did you mean \`${guess}\`?` : ""} (params: ${[...params.keys()].join(", ")})`,
      );
      continue;
    }
    const prefix = "param x = ";
    const parsed = parse(prefix + s.slice(eq + 1), "<--set>");
    const d = parsed.program.decls[0];
    if (parsed.diagnostics.length || !d || d.kind !== "param" || parsed.program.decls.length !== 1) {
      errors.push(`--set ${name}: cannot read the value \`${s.slice(eq + 1)}\``);
      continue;
    }
    const tmp: Diagnostic[] = [];
    const v = constant(d.value, "<--set>", tmp);
    if (tmp.length) errors.push(`--set ${name}: ${tmp[0]!.message}`);
    else out.set(name, v);
  }
  return out;
}

/** Keeps the nodes the trials reach; adds reached stages of imported files to each trial's table. */
function assemble(loaded: LoadedStudy, all: ReadonlyMap<string, IrNode>, trials: Trial[], swept: string[]): Study {
  const nodes: Record<string, IrNode> = {};
  for (const n of reachable((k) => all.get(k), stageRoots({ trials }))) nodes[n.key] = n;
  // Without imports every stage and bench reached is a main-file declaration, already in the table.
  if (loaded.files.size === 1)
    return { irVersion: 1, experiment: loaded.experiment, file: loaded.main.display, nodes, trials, swept };
  const withImported = trials.map((t) => {
    const stages: Record<string, NodeKey> = { ...t.stages };
    const named = new Set<string>(Object.values(stages));
    for (const n of reachable((k) => nodes[k], named)) {
      if ((n.kind === "train" || n.kind === "bench") && !named.has(n.key)) {
        stages[n.origin.name] = n.key;
        named.add(n.key);
      }
    }
    return { ...t, stages };
  });
  return { irVersion: 1, experiment: loaded.experiment, file: loaded.main.display, nodes, trials: withImported, swept };
}
