// Completion from the tokens before the cursor (the one lexer, `lang/parser.ts`): the innermost open
// bracket says where the cursor stands (a component's argument list, a sweep's grid/zip, a stage
// body, the top level), the last token what may come next. Tokens rather than the AST, because the
// text being typed is usually not a complete declaration yet.
import type { IToken } from "chevrotain";
import { CompletionItemKind, type CompletionItem, InsertTextFormat } from "vscode-languageserver";
import type { JsonObject } from "../../core/ir.ts";
import { tokenize } from "../../lang/parser.ts";
import { trainFields, typedFields } from "../../lang/stage.ts";
import { showJson } from "../../lang/values.ts";
import type { ComponentMeta } from "../../stdlib/component.ts";
import { builtins, components, registry } from "../../stdlib/registry.ts";
import { schemaType } from "./describe.ts";
import { wordAt } from "./text.ts";
import type { Analysis } from "./workspace.ts";

const DECL_KEYWORDS = ["experiment", "import", "param", "data", "model", "let", "stage", "bench", "sweep"];
const SWEEPS = new Set(["grid", "zip", "random"]);

interface Open {
  readonly image: string;
  readonly callee?: string;
  /** Offset of the bracket; its matching close (or the end of text) bounds what is already given. */
  readonly at: number;
}

export function complete(a: Analysis, text: string, offset: number): CompletionItem[] {
  const start = wordAt(text, offset).start;
  const all = tokenize(text).tokens;
  const before = all.filter((t) => t.startOffset + t.image.length <= start);
  const stack: Open[] = [];
  before.forEach((t, i) => {
    if (t.image === "(" || t.image === "[" || t.image === "{") {
      const p = before[i - 1];
      stack.push({ image: t.image, callee: p && /^\w+$/.test(p.image) ? p.image : undefined, at: t.startOffset });
    } else if (t.image === ")" || t.image === "]" || t.image === "}") stack.pop();
  });
  const last = before[before.length - 1];
  const prev = before[before.length - 2];
  const top = stack[stack.length - 1];

  if (last?.image === "." && prev) {
    const b = a.result.loaded.scope.get(prev.image);
    return b?.decl.kind === "stage"
      ? [{ label: "model", kind: CompletionItemKind.Field, detail: "the trained model" }]
      : [];
  }
  if (!top) {
    const atLineStart = !last || lineOf(text, last.startOffset) < lineOf(text, start);
    if (atLineStart) return DECL_KEYWORDS.map((k) => ({ label: k, kind: CompletionItemKind.Keyword }));
    if (last?.image === "=" && before[before.length - 3]?.image === "stage")
      return [
        {
          label: "train",
          kind: CompletionItemKind.Keyword,
          insertText: "train($1) {\n  $0\n}",
          insertTextFormat: InsertTextFormat.Snippet,
        },
      ];
    return values(a);
  }
  if (top.image === "(" && top.callee) {
    const argStart = last?.image === "(" || last?.image === ",";
    const given = givenNames(all, top.at, ":");
    if (SWEEPS.has(top.callee) && argStart) return params(a).filter((c) => !given.has(c.label));
    const meta = registry.get(top.callee);
    if (meta && argStart) return [...optionItems(meta, given), ...values(a)];
    if (meta && last?.image === ":" && prev) return [...enumItems(meta.options.properties[prev.image]), ...values(a)];
  }
  if (top.image === "[") {
    // `pool: [box, |]`: the list fills an option whose items may be an enumeration
    const outer = stack[stack.length - 2];
    const opener = before.findIndex((t) => t.startOffset === top.at);
    const name = before[opener - 2];
    const meta = outer?.callee ? registry.get(outer.callee) : undefined;
    if (meta && before[opener - 1]?.image === ":" && name) {
      const items = meta.options.properties[name.image]?.["items"] as JsonObject | undefined;
      return [...enumItems(items), ...values(a)];
    }
  }
  if (top.image === "{" && !top.callee) {
    const newField = last?.image === "{" || (last && lineOf(text, last.startOffset) < lineOf(text, start));
    if (newField) return fieldItems(givenNames(all, top.at, "="));
    if (last?.image === "=" && prev?.image === "trainable") return groupItems(a, before, top.at);
  }
  return values(a);
}

function lineOf(text: string, offset: number): number {
  let n = 0;
  for (let i = text.indexOf("\n"); i !== -1 && i < offset; i = text.indexOf("\n", i + 1)) n++;
  return n;
}

/** Names written as `name:` (arguments) or `name =` (stage fields) directly inside the bracket at
 * `at`, and how many arguments there are without a name (they fill the inputs in order). */
function givenNames(tokens: readonly IToken[], at: number, sep: string): Set<string> & { positional?: number } {
  const out: Set<string> & { positional?: number } = new Set<string>();
  let depth = 0;
  let named = false;
  let any = false;
  let positional = 0;
  const i0 = tokens.findIndex((t) => t.startOffset === at);
  for (let i = i0 + 1; i0 >= 0 && i < tokens.length; i++) {
    const t = tokens[i]!.image;
    if (t === "(" || t === "[" || t === "{") depth++;
    else if (t === ")" || t === "]" || t === "}") {
      if (depth-- === 0) break;
    } else if (depth === 0 && t === ",") {
      if (any && !named) positional++;
      [any, named] = [false, false];
      continue;
    } else if (depth === 0 && tokens[i + 1]?.image === sep && /^\w+$/.test(t)) {
      out.add(t);
      named ||= !any;
    }
    any = true;
  }
  if (any && !named) positional++;
  out.positional = positional;
  return out;
}

function optionItems(meta: ComponentMeta, given: ReadonlySet<string> & { positional?: number }): CompletionItem[] {
  const inputs = meta.inputs
    .filter((i, k) => !given.has(i.name) && k >= (given.positional ?? 0))
    .map((i) => ({
      label: i.name,
      kind: CompletionItemKind.Field,
      detail: `input: ${i.type}`,
      documentation: i.doc,
      insertText: `${i.name}: `,
      sortText: `0${i.name}`,
    }));
  const opts = Object.entries(meta.options.properties)
    .filter(([k]) => !given.has(k))
    .map(([k, p]) => ({
      label: k,
      kind: CompletionItemKind.Property,
      detail: `${schemaType(p)} = ${p["default"] !== undefined ? showJson(p["default"]) : meta.options.required?.includes(k) ? "required" : "—"}`,
      documentation: p["description"] ? String(p["description"]) : undefined,
      insertText: `${k}: `,
      sortText: `1${k}`,
    }));
  return [...inputs, ...opts];
}

function enumItems(p: JsonObject | undefined): CompletionItem[] {
  const vals = (p?.["enum"] as string[] | undefined) ?? (p?.["type"] === "boolean" ? ["true", "false"] : []);
  return vals.map((v) => ({ label: String(v), kind: CompletionItemKind.EnumMember, sortText: `0${v}` }));
}

/** `trainable = |`: the parameter groups of the stage's model, from the checked IR. */
function groupItems(a: Analysis, before: readonly IToken[], bodyAt: number): CompletionItem[] {
  const i = before.findIndex((t) => t.startOffset === bodyAt);
  let k = i;
  while (k > 0 && before[k]!.image !== "stage") k--;
  const name = before[k + 1]?.image;
  const node = Object.values(a.result.study?.nodes ?? {}).find((n) => n.kind === "train" && n.origin.name === name);
  const groups = (node?.kind === "train" ? node.facts["groups"] : undefined) as string[] | undefined;
  return (groups ?? []).map((g) => ({ label: g, kind: CompletionItemKind.EnumMember, detail: "parameter group" }));
}

function fieldItems(given: ReadonlySet<string>): CompletionItem[] {
  const docs: [string, string][] = [
    ...Object.entries(typedFields),
    ...Object.entries(trainFields.properties).map(([k, p]) => [k, String(p["description"] ?? "")] as [string, string]),
  ];
  return docs
    .filter(([k]) => !given.has(k))
    .map(([k, d]) => ({ label: k, kind: CompletionItemKind.Field, documentation: d, insertText: `${k} = ` }));
}

function params(a: Analysis): CompletionItem[] {
  const names = [...a.result.loaded.scope].filter(([, b]) => b.decl.kind === "param").map(([k]) => k);
  if (!names.includes("seed")) names.push("seed");
  return names.map((k) => ({
    label: k,
    kind: CompletionItemKind.Variable,
    detail: "param",
    insertText: `${k}: [$1]`,
    insertTextFormat: InsertTextFormat.Snippet,
  }));
}

/** What may stand where a value goes: declared names, components (with their required arguments as
 * a snippet), built-ins and literals. */
function values(a: Analysis): CompletionItem[] {
  const declared: CompletionItem[] = [...a.result.loaded.scope].map(([k, b]) => ({
    label: k,
    kind: CompletionItemKind.Variable,
    detail: b.decl.kind === "binding" ? b.decl.keyword : b.decl.kind,
    sortText: `0${k}`,
  }));
  const comps: CompletionItem[] = components.map((m) => ({
    label: m.name,
    kind: CompletionItemKind.Function,
    detail: m.signature,
    documentation: m.doc,
    insertText: snippet(m),
    insertTextFormat: InsertTextFormat.Snippet,
    sortText: `1${m.name}`,
  }));
  const built = Object.entries(builtins)
    .filter(([k]) => k !== "train")
    .map(([k, b]) => ({
      label: k,
      kind: CompletionItemKind.Function,
      detail: b.signature,
      documentation: b.doc,
      sortText: `2${k}`,
    }));
  const lits = ["true", "false"].map((k) => ({ label: k, kind: CompletionItemKind.Keyword, sortText: `3${k}` }));
  return [...declared, ...comps, ...built, ...lits];
}

/** `refiner(${1:teacher}, depth: ${2})`: the inputs positionally, then the required options by name. */
export function snippet(m: ComponentMeta): string {
  let n = 0;
  const parts = [
    ...m.inputs.map((i) => `\${${++n}:${i.name}}`),
    ...(m.options.required ?? []).map((r) => `${r}: \${${++n}}`),
  ];
  return `${m.name}(${parts.join(", ")})$0`;
}
