// The run plan of one `scdx run` (stage-sharing.ts is the key-free view of a study): which stages
// the trials need (all, or --only some and what they consume), in dependency order, each with its
// cache key, its users, its size and its memory estimate; and which of them the backend cannot
// hold. Pure except for file fingerprints.
import { isStage, type BenchNode, type DataNode, type Study, type TrainNode } from "../../core/ir.ts";
import { cacheKey, type KeyFields } from "../cache/store.ts";
import { keyFields, stageInputs, type KeyContext } from "../cache/key.ts";
import { estimateStage, mb, WASM_HEAP } from "./memory.ts";
import type { StageInfo, TrialInfo } from "../events/events.ts";

export interface PlannedStage {
  readonly info: StageInfo;
  readonly node: TrainNode | BenchNode;
  readonly fields: KeyFields;
  /** Structural keys of the stages it consumes. */
  readonly inputs: readonly string[];
}

export interface RunPlan {
  /** Structural key → planned stage, in dependency order. */
  readonly stages: ReadonlyMap<string, PlannedStage>;
  readonly trials: readonly TrialInfo[];
  /** Structural keys of the stages asked for (all trials' stages, or the --only ones). */
  readonly roots: ReadonlySet<string>;
  /** Stages that cannot fit the backend, with the numbers. */
  readonly refused: readonly string[];
}

export function planRun(study: Study, ctx: KeyContext, only?: readonly string[]): RunPlan {
  const roots = new Set<string>();
  for (const t of study.trials)
    for (const [name, key] of Object.entries(t.stages)) if (!only || only.includes(name)) roots.add(key);
  // Dependency order over stages, upstream stages pulled in.
  const order: string[] = [],
    seen = new Set<string>();
  const visit = (k: string) => {
    if (seen.has(k)) return;
    seen.add(k);
    for (const i of stageInputs(study, k)) visit(i);
    order.push(k);
  };
  [...roots].forEach(visit);
  const cacheKeys = new Map<string, string>();
  const stages = new Map<string, PlannedStage>();
  const refused: string[] = [];
  // each stage's users and declared name, in one pass (per stage, a scan of every trial would be
  // quadratic: a 1,000-trial sweep has 2,000 stages)
  const users = new Map<string, { name: string; trials: number[] }>();
  for (const t of study.trials)
    for (const [name, k] of Object.entries(t.stages)) {
      const u = users.get(k) ?? users.set(k, { name, trials: [] }).get(k)!;
      if (u.trials.at(-1) !== t.index + 1) u.trials.push(t.index + 1);
    }
  for (const k of order) {
    const node = study.nodes[k]!;
    if (!isStage(node)) continue;
    const inputs = stageInputs(study, k);
    const fields = keyFields(study, k, Object.fromEntries(inputs.map((i) => [i, cacheKeys.get(i)!])), ctx);
    const key = cacheKey(fields);
    cacheKeys.set(k, key);
    // events number trials from 1, as `scdx plan` prints them
    const trials = users.get(k)?.trials ?? [];
    const name = users.get(k)?.name ?? node.origin.name;
    const mem = estimateStage(node, study.nodes);
    const heapBackend = ctx.backend.split("/")[0]!; // keyed names: "native/kernels-1/threads-1"
    if ((heapBackend === "wasm" || heapBackend === "native") && mem.bytes > WASM_HEAP)
      refused.push(
        `${name}: needs about ${mb(mem.bytes)} (${mem.detail}); the ${heapBackend} backend's heap holds at most ${mb(WASM_HEAP)}. Use a smaller batch or image size, or a GPU (--backend tensorflow).`,
      );
    const info: StageInfo = {
      key,
      node: k,
      name,
      kind: node.kind,
      op: node.kind === "train" ? "train" : node.op,
      trials,
      total: node.kind === "train" ? (node.options["steps"] as number) : benchImages(study, node),
      unit: node.kind === "train" ? "steps" : "images",
      memory: mem.bytes,
    };
    stages.set(k, { info, node, fields, inputs });
  }
  const trials: TrialInfo[] = study.trials.map((t) => ({
    index: t.index,
    params: t.params,
    stages: Object.fromEntries(
      Object.entries(t.stages)
        .filter(([, k]) => stages.has(k))
        .map(([n, k]) => [n, stages.get(k)!.info.key]),
    ),
  }));
  return { stages, trials, refused, roots };
}

function benchImages(study: Study, node: BenchNode): number {
  const data = study.nodes[node.inputs["data"]?.key ?? ""] as DataNode | undefined;
  const n = data?.options["images"] ?? data?.options["limit"];
  return typeof n === "number" ? n : 0;
}
