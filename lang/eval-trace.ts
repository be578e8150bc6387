// Re-checking after an edit without re-evaluating what the edit did not touch. Each declaration's
// evaluation records what it read from outside itself — the entries of the names it referenced and
// the IR nodes it made or found, in order — and a later check of an edited text (an editor's
// keystroke) replays that record instead of evaluating again when nothing it read has changed.
//
// The replay must leave exactly what a fresh evaluation would (the parity test and `scdx check`
// compare): so the declaration must be the same AST object (an unchanged piece at an unchanged
// offset, incremental-parse.ts), in the same file, reached by the same params; every referenced
// entry must be the very object the record names (each checked as the replay reaches it, in
// evaluation order); and every node must be the recorded one, or be absent and have been made by
// this declaration. Names are looked up in the scope and did-you-mean suggestions list all of it,
// so a scope that changed at all (a name, a kind, a file, a name broken by a syntax error) reuses
// nothing.
import type { IrNode } from "../core/ir.ts";
import type { LoadedStudy, NamedDecl } from "./program.ts";

export type TraceEvent =
  | { readonly dep: string; readonly entry: object }
  | { readonly node: IrNode; readonly made: boolean };

export interface Trace {
  readonly decl: NamedDecl;
  readonly path: string;
  readonly display: string;
  /** The params that reach the declaration, in order (they are in its nodes). */
  readonly params: string;
  readonly events: readonly TraceEvent[];
}

/** Everything about the scope that an evaluation can observe besides the entries it references. */
export function scopeSignature(study: LoadedStudy): string {
  let s = "";
  for (const [name, b] of study.scope) s += `${name}:${b.decl.kind}:${b.file.display}:${b.file.path}\n`;
  return `${s}|${[...study.brokenNames].sort().join(",")}`;
}

/** Replays `trace`; false as soon as something differs (the caller then evaluates afresh: what was
 * replayed so far is what that evaluation does first, so nothing is left to undo). */
export function replay(trace: Trace, entry: (name: string) => object, nodes: Map<string, IrNode>): boolean {
  for (const ev of trace.events) {
    if ("dep" in ev) {
      if (entry(ev.dep) !== ev.entry) return false;
      continue;
    }
    const cur = nodes.get(ev.node.key);
    if (cur) {
      if (cur !== ev.node) return false;
    } else if (ev.made) nodes.set(ev.node.key, ev.node);
    else return false;
  }
  return true;
}
