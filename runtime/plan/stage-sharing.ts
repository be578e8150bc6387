// Stage sharing (the study's plan, before any cache): which stages the trials of a study need, and
// which of them are one node shared by several trials. `scdx plan` prints it; `scdx run --dry-run`
// prints the same with cache state. Not to be confused with run-plan.ts (one run's keyed stages).
import { isStage, reachable, stageRoots, type IrNode, type Study } from "../../core/ir.ts";

export interface StageRow {
  /** Declared name (the first declaration that produced these nodes). */
  readonly name: string;
  readonly kind: "train" | "bench";
  readonly op: string;
  /** Distinct nodes of this name across the trials, in first-use order. */
  readonly keys: readonly string[];
  /** How many trials use each node (parallel to keys). */
  readonly uses: readonly number[];
  /** Params whose values reach this stage. */
  readonly params: readonly string[];
}

export interface Plan {
  readonly study: Study;
  readonly rows: readonly StageRow[];
  /** Distinct stage nodes: what a run executes at most. */
  readonly distinct: number;
  /** trials × stages: what a run would execute without sharing. */
  readonly uses: number;
}

export function stageCount(study: Study): number {
  return Object.values(study.nodes).filter(isStage).length;
}

export function makePlan(study: Study): Plan {
  const rows = new Map<string, { keys: string[]; uses: Map<string, number>; node: IrNode }>();
  let uses = 0;
  for (const t of study.trials) {
    for (const [name, key] of Object.entries(t.stages)) {
      const node = study.nodes[key]!;
      let r = rows.get(name);
      if (!r) rows.set(name, (r = { keys: [], uses: new Map(), node }));
      if (!r.uses.has(key)) r.keys.push(key);
      r.uses.set(key, (r.uses.get(key) ?? 0) + 1);
      uses++;
    }
  }
  const out: StageRow[] = [...rows].map(([name, r]) => ({
    name,
    kind: r.node.kind as "train" | "bench",
    op: r.node.op,
    keys: r.keys,
    uses: r.keys.map((k) => r.uses.get(k)!),
    params: [...new Set(r.keys.flatMap((k) => study.nodes[k]!.params))].sort(),
  }));
  // Dependencies first: a stage is listed after every stage it consumes.
  const order = topoOrder(study);
  out.sort((a, b) => order.get(a.keys[0]!)! - order.get(b.keys[0]!)!);
  return { study, rows: out, distinct: stageCount(study), uses };
}

function topoOrder(study: Study): Map<string, number> {
  return new Map(reachable((k) => study.nodes[k], stageRoots(study)).map((n, i) => [n.key, i]));
}
