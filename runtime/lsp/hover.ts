// Hover text, in Markdown: a component's `scdx doc` description; an option's type, default, range
// and doc; a declaration with its facts (a model's architecture, a stage's tensor shapes from the
// checked IR); a param's default, interval and the values the sweep gives it.
import type * as A from "../../lang/ast.ts";
import type { Json, JsonObject } from "../../core/ir.ts";
import { showJson } from "../../lang/values.ts";
import { optionsInOrder } from "../../lang/options.ts";
import { trainFields, typedFields } from "../../lang/stage.ts";
import { builtins, registry } from "../../stdlib/registry.ts";
import { describeComponent, describeTrain, schemaType } from "./describe.ts";
import { locate } from "./locate.ts";
import type { Analysis } from "./workspace.ts";

const code = (s: string) => "```\n" + s.trimEnd() + "\n```";

export function hoverText(a: Analysis, offset: number): string | undefined {
  const hit = locate(a.result.loaded.main.program, offset);
  if (!hit) return undefined;
  switch (hit.kind) {
    case "decl":
      return declared(a, hit.decl.name);
    case "ident": {
      const n = hit.node.name;
      const callee = hit.call?.callee.kind === "ident" ? registry.get(hit.call.callee.name) : undefined;
      const prop = callee && hit.option ? callee.options.properties[hit.option] : undefined;
      const values = (prop?.["enum"] ?? (prop?.["items"] as JsonObject | undefined)?.["enum"]) as string[] | undefined;
      if (values?.includes(n))
        return `\`${n}\`: a value of option \`${hit.option}\` of \`${callee!.name}\` (${values.join(" | ")})`;
      if (a.result.loaded.scope.has(n) || n === "seed") return declared(a, n);
      return component(n);
    }
    case "arg": {
      const name = hit.arg.name!;
      if (hit.sweep) return declared(a, name);
      const meta = hit.call.callee.kind === "ident" ? registry.get(hit.call.callee.name) : undefined;
      if (!meta) return undefined;
      const input = meta.inputs.find((i) => i.name === name);
      if (input) return `**${name}** — input of \`${meta.name}\`: ${input.type}\n\n${input.doc}`;
      const p = meta.options.properties[name];
      return p ? option(meta.name, name, p, meta.options.required?.includes(name)) : undefined;
    }
    case "field": {
      const f = hit.field.name;
      if (typedFields[f]) return `**${f}** — field of \`train\`\n\n${typedFields[f]}`;
      const p = trainFields.properties[f];
      return p ? option("train", f, p, trainFields.required?.includes(f)) : undefined;
    }
    case "stage-op":
      return component(hit.stage.op);
    case "member":
      return hit.node.name === "model" ? "**model** — the model a train stage yields (its trained weights)" : undefined;
    case "import":
      return `imports \`${hit.decl.path}\``;
  }
}

function component(name: string): string | undefined {
  if (name === "train") return code(describeTrain(false));
  const m = registry.get(name);
  if (m) return code(describeComponent(m, false));
  const b = builtins[name];
  return b ? code(`${name} — built-in\n  ${b.signature}\n\n${b.doc}`) : undefined;
}

function option(owner: string, name: string, p: JsonObject, required?: boolean): string {
  const dflt = p["default"] !== undefined ? showJson(p["default"]) : required ? "required" : "—";
  const lines = [`**${name}** — option of \`${owner}\``, "", `type: \`${schemaType(p)}\`  `, `default: \`${dflt}\``];
  if (p["description"]) lines.push("", String(p["description"]));
  return lines.join("\n");
}

/** A declared name: its declaration's text, where it is, and what the check knows about it. */
function declared(a: Analysis, name: string): string | undefined {
  const { loaded, study } = a.result;
  const b = loaded.scope.get(name);
  const parts: string[] = [];
  if (b) {
    const src = b.file.text.slice(b.decl.span.start, b.decl.span.end);
    const head = src.length > 400 ? `${src.slice(0, 400)} …` : src;
    parts.push(code(head));
    if (!b.file.isMain) parts.push(`declared in \`${b.file.display}\``);
  } else if (name === "seed") parts.push("`seed` — the study's seed param (default 0, an integer in [0, 2³¹−1])");
  else return undefined;
  if (b?.decl.kind === "param" || name === "seed")
    parts.push(...paramFacts(a, name, b?.decl as A.ParamDecl | undefined));
  else if (study) {
    // a stage as the first trial resolves it; a model as declared
    const key = study.trials[0]?.stages[name];
    const node =
      (key && study.nodes[key]) ||
      Object.values(study.nodes).find((n) => n.origin.name === name && n.origin.file === b!.file.display);
    if (node && (node.kind === "model" || node.kind === "train")) parts.push(factsTable(node));
  }
  return parts.join("\n\n");
}

function paramFacts(a: Analysis, name: string, d: A.ParamDecl | undefined): string[] {
  const out: string[] = [];
  if (d) {
    const text = (e: A.Expr) => a.result.loaded.scope.get(name)!.file.text.slice(e.span.start, e.span.end);
    out.push(`default: \`${text(d.value)}\``);
    if (d.range)
      out.push(
        `interval: \`${d.range.loClosed ? "[" : "("}${text(d.range.lo)}, ${text(d.range.hi)}${d.range.hiClosed ? "]" : ")"}\``,
      );
  }
  const study = a.result.study;
  if (study?.swept.includes(name)) {
    const seen = [...new Set(study.trials.map((t) => showJson(t.params[name] ?? null)))];
    out.push(`swept: ${seen.map((v) => `\`${v}\``).join(", ")} (${study.trials.length} trials)`);
  }
  return out;
}

/** The facts the checker used: architecture, token grid, parameter groups; for a train stage what
 * it trains and the symbolic shapes of its main tensors. */
function factsTable(node: { readonly facts: JsonObject; readonly options: JsonObject; readonly kind: string }): string {
  const f = node.facts;
  const rows: string[] = [];
  const put = (k: string, v: Json | undefined) => {
    if (v !== undefined && v !== null)
      rows.push(`- ${k}: \`${Array.isArray(v) ? v.map((x) => showJson(x)).join(", ") : showJson(v)}\``);
  };
  put("arch", f["arch"]);
  for (const k of ["width", "layers", "heads", "patch", "imageSize", "embedDim"]) put(k, f[k]);
  if (typeof f["imageSize"] === "number" && typeof f["patch"] === "number") {
    const g = Math.floor(f["imageSize"] / f["patch"]);
    put("grid", `${g}×${g}`);
  }
  put("groups", f["groups"]);
  if (node.kind === "train") {
    put("trains", node.options["trainable"]);
    const shown = optionsInOrder(trainFields, node.options).filter(
      ([k, v]) => k !== "trainable" && k !== "optim" && typeof v !== "object",
    );
    rows.push(`- options (trial 1): ${shown.map(([k, v]) => `\`${k} = ${showJson(v)}\``).join(", ")}`);
  } else put("frozen", f["frozen"]);
  const tensors = f["tensors"] as Record<string, Json[]> | undefined;
  for (const [k, dims] of Object.entries(tensors ?? {})) rows.push(`- ${k}: \`[${dims.join(", ")}]\``);
  return rows.join("\n");
}
