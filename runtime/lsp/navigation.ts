// Go to definition, find references and rename, across imports. A name resolves through the study's
// one scope (lang/program.ts), so a use in `scd.scd` and the declaration in `common.scd` are one
// symbol. References are looked for in the studies that can see the declaration: every open file
// and every `.scd` file beside the declaring file and the asking one (where importers live).
import * as fs from "node:fs";
import * as path from "node:path";
import type { Location, Range, WorkspaceEdit } from "vscode-languageserver";
import type { Span } from "../../core/diagnostics.ts";
import type { Binding } from "../../lang/program.ts";
import { keywordNames } from "../../lang/tokens.ts";
import { locate, nameUses } from "./locate.ts";
import { LineMap } from "./text.ts";
import { type Analysis, pathToUri, type Workspace } from "./workspace.ts";

/** The declared name under the cursor (a declaration's name, a use, a sweep's param), if any. */
export function nameAt(a: Analysis, offset: number): { name: string; span: Span; binding: Binding } | undefined {
  const hit = locate(a.result.loaded.main.program, offset);
  let name: string | undefined;
  let span: Span | undefined;
  if (hit?.kind === "decl") [name, span] = [hit.decl.name, hit.decl.nameSpan];
  else if (hit?.kind === "ident") [name, span] = [hit.node.name, hit.node.span];
  else if (hit?.kind === "arg" && hit.sweep) [name, span] = [hit.arg.name!, hit.arg.nameSpan!];
  const binding = name ? a.result.loaded.scope.get(name) : undefined;
  return binding && span && name ? { name, span, binding } : undefined;
}

export function definition(a: Analysis, offset: number): Location | undefined {
  const hit = locate(a.result.loaded.main.program, offset);
  if (hit?.kind === "import") {
    const target = path.resolve(path.dirname(a.path), hit.decl.path);
    const zero = { line: 0, character: 0 };
    return a.result.loaded.files.has(target)
      ? { uri: pathToUri(target), range: { start: zero, end: zero } }
      : undefined;
  }
  const n = nameAt(a, offset);
  if (!n) return undefined;
  const lines = new LineMap(n.binding.file.text);
  return { uri: pathToUri(n.binding.file.path), range: lines.range(n.binding.decl.nameSpan) };
}

const same = (x: Binding | undefined, y: Binding) =>
  !!x && x.file.path === y.file.path && x.decl.nameSpan.start === y.decl.nameSpan.start;

function candidates(ws: Workspace, a: Analysis, b: Binding): string[] {
  const out = new Set([a.path, ...ws.openPaths()]);
  for (const dir of new Set([path.dirname(b.file.path), path.dirname(a.path)])) {
    let names: string[] = [];
    try {
      names = fs.readdirSync(dir).filter((f) => f.endsWith(".scd"));
    } catch {}
    for (const f of names) out.add(path.join(dir, f));
  }
  return [...out];
}

export function references(ws: Workspace, a: Analysis, offset: number, withDecl: boolean): Location[] {
  const n = nameAt(a, offset);
  if (!n) return [];
  const seen = new Set<string>();
  const out: Location[] = [];
  const add = (file: string, text: string, span: Span) => {
    const id = `${file}:${span.start}`;
    if (seen.has(id)) return;
    seen.add(id);
    out.push({ uri: pathToUri(file), range: new LineMap(text).range(span) });
  };
  if (withDecl) add(n.binding.file.path, n.binding.file.text, n.binding.decl.nameSpan);
  for (const p of candidates(ws, a, n.binding)) {
    const other = ws.analyze(p);
    if (!same(other.result.loaded.scope.get(n.name), n.binding)) continue;
    for (const f of other.result.loaded.files.values())
      for (const u of nameUses(f.program)) if (u.name === n.name) add(f.path, f.text, u.span);
  }
  return out;
}

export function renameRange(a: Analysis, offset: number): Range | undefined {
  const n = nameAt(a, offset);
  return n ? new LineMap(a.result.loaded.main.text).range(n.span) : undefined;
}

/** The edit, or a sentence saying why the rename cannot be made. */
export function rename(ws: Workspace, a: Analysis, offset: number, newName: string): WorkspaceEdit | string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(newName) || keywordNames.has(newName))
    return `\`${newName}\` is not a name a declaration can have.`;
  const n = nameAt(a, offset);
  if (!n) return "There is no declared name here.";
  if (a.result.loaded.scope.has(newName)) return `\`${newName}\` is already declared.`;
  const changes: Record<string, { range: Range; newText: string }[]> = {};
  for (const loc of references(ws, a, offset, true))
    (changes[loc.uri] ??= []).push({ range: loc.range, newText: newName });
  return { changes };
}
