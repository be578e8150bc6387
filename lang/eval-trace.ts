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

/** What one evaluation read, in order, flat: a referenced name followed by the entry it had, or
 * an IR node followed by whether this evaluation made it. Pairs in one array rather than an object
 * per event: a long study records thousands, and keeps them. Written by `readDep` and `readNode`. */
export type TraceEvents = readonly (string | object | boolean)[];

export function readDep(events: (string | object | boolean)[], name: string, entry: object): void {
  events.push(name, entry);
}
export function readNode(events: (string | object | boolean)[], node: IrNode, made: boolean): void {
  events.push(node, made);
}

export interface Trace {
  readonly decl: NamedDecl;
  readonly path: string;
  readonly display: string;
  /** The params that reach the declaration, sorted (they are in its nodes). */
  readonly params: readonly string[];
  readonly events: TraceEvents;
}

/** Whether two loads of a study have the same scope as far as an evaluation can observe besides
 * the entries it references: the same names in the same order, each of the same kind from the same
 * file, and the same names broken by syntax errors. Compared in place: a signature string of a
 * long study's scope was a large object made on every check. */
export function sameScope(a: LoadedStudy, b: LoadedStudy): boolean {
  if (a.scope.size !== b.scope.size || a.brokenNames.size !== b.brokenNames.size) return false;
  const other = b.scope.entries();
  for (const [name, x] of a.scope) {
    const [name2, y] = other.next().value as [string, typeof x];
    if (
      name !== name2 ||
      x.decl.kind !== y.decl.kind ||
      x.file.display !== y.file.display ||
      x.file.path !== y.file.path
    )
      return false;
  }
  for (const n of a.brokenNames) if (!b.brokenNames.has(n)) return false;
  return true;
}

/** Replays `trace`; false as soon as something differs (the caller then evaluates afresh: what was
 * replayed so far is what that evaluation does first, so nothing is left to undo). */
export function replay(trace: Trace, entry: (name: string) => object, nodes: Map<string, IrNode>): boolean {
  const ev = trace.events;
  for (let i = 0; i < ev.length; i += 2) {
    const what = ev[i]!;
    if (typeof what === "string") {
      if (entry(what) !== ev[i + 1]) return false;
      continue;
    }
    const node = what as IrNode;
    const cur = nodes.get(node.key);
    if (cur) {
      if (cur !== node) return false;
    } else if (ev[i + 1] === true) nodes.set(node.key, node);
    else return false;
  }
  return true;
}

/** Whether two lists hold the same strings in the same order. */
export function sameList(a: readonly string[], b: readonly string[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
