// The local executor: walks a run plan, serving each stage from the cache when it can, waiting on
// another process's lock when that one is computing it, and otherwise running it in the worker
// pool; emits the run's events. A failed stage skips only what consumes it; Ctrl-C lets running
// stages checkpoint, starts nothing new, and ends the run as interrupted.
import * as path from "node:path";
import type { Study } from "../../core/ir.ts";
import type { Cache } from "../cache/store.ts";
import { acquireLock, describeHolder } from "../cache/lock.ts";
import { localNodes } from "../cache/key.ts";
import type { Metrics, RunEvent } from "../events/events.ts";
import type { RunPlan } from "../plan/run-plan.ts";
import type { StagePool } from "./worker-pool.ts";

/** Events without their time stamp; the executor stamps them. */
export type Unstamped = RunEvent extends infer E ? (E extends { t: number } ? Omit<E, "t"> : never) : never;

export interface ExecuteOptions {
  readonly study: Study;
  readonly plan: RunPlan;
  readonly cache: Cache;
  readonly pool: StagePool;
  readonly emit: (e: Unstamped) => void;
  readonly signal: AbortSignal;
  readonly batchThreads: number;
}

export interface StageOutcome {
  readonly ok: boolean;
  readonly dir?: string;
  readonly metrics?: Metrics;
  readonly executed: boolean;
  readonly message?: string;
  readonly interrupted?: boolean;
  /** Not run: a stage it consumes failed (or the run was interrupted first). */
  readonly skipped?: boolean;
}

export interface ExecuteResult {
  readonly outcomes: ReadonlyMap<string, StageOutcome>;
  /** By 1-based trial number. */
  readonly trialMetrics: ReadonlyMap<number, Metrics>;
  readonly interrupted: boolean;
}

export async function execute(o: ExecuteOptions): Promise<ExecuteResult> {
  const { plan, cache } = o;
  const promises = new Map<string, Promise<StageOutcome>>();
  const outcomes = new Map<string, StageOutcome>();
  const trialMetrics = new Map<number, Metrics>();

  const { hits, needed } = await lookupAll(plan, cache, o.emit);

  const runStage = async (k: string): Promise<StageOutcome> => {
    const s = plan.stages.get(k)!,
      key = s.info.key;
    const hit = hits.get(k);
    if (hit) return hit;
    if (!needed.has(k)) {
      o.emit({ type: "stage-skipped", key, reason: "not needed: every stage that uses it is cached" });
      return { ok: true, executed: false, skipped: true };
    }
    const inputs = await Promise.all(s.inputs.map((i) => promises.get(i)!));
    const bad = s.inputs.filter((_, j) => !inputs[j]!.ok);
    if (bad.length) {
      const why = bad.map(
        (i) => `${plan.stages.get(i)!.info.name} ${inputs[s.inputs.indexOf(i)]!.skipped ? "did not run" : "failed"}`,
      );
      const interrupted = inputs.some((r) => r.interrupted);
      o.emit({ type: "stage-skipped", key, reason: interrupted ? "interrupted" : why.join(", ") });
      return { ok: false, executed: false, skipped: true, interrupted };
    }
    const interrupted = (): StageOutcome => {
      o.emit({ type: "stage-skipped", key, reason: "interrupted before it started" });
      return { ok: false, executed: false, skipped: true, interrupted: true };
    };
    if (o.signal.aborted) return interrupted();
    let lock: Awaited<ReturnType<typeof acquireLock>> | undefined;
    let served: StageOutcome | undefined;
    let started = Date.now();
    try {
      // The lock is taken once a worker is free, so a concurrent run waits only on stages that are
      // really being computed, and the cache is checked again under it (the other run may have won).
      const r = await o.pool.run(
        async () => {
          if (o.signal.aborted) return undefined;
          lock = await acquireLock(cache.root, key, {
            onWait: (h) => o.emit({ type: "stage-waiting", key, holder: describeHolder(h) }),
            signal: o.signal,
          });
          served = await lookup(cache, key, o);
          if (served) return undefined;
          const entries: Record<string, string> = {};
          s.inputs.forEach((i, j) => {
            entries[i] = inputs[j]!.dir!;
          });
          return {
            key,
            node: s.node,
            nodes: Object.fromEntries(localNodes(o.study, k).map((n) => [n.key, n])),
            entries,
            fields: s.fields,
            cacheRoot: cache.root,
            workDir: path.join(cache.root, "work", key),
            batchThreads: o.batchThreads,
          };
        },
        (m, worker) => {
          if (m.type === "started") {
            if (m.resumedAt === undefined) started = Date.now();
            o.emit({ type: "stage-started", key, worker, resumedAt: m.resumedAt });
          } else if (m.type === "progress")
            o.emit({
              type: "stage-progress",
              key,
              done: m.done,
              total: m.total,
              loss: m.loss,
              terms: m.terms,
              lr: m.lr,
            });
          else if (m.type === "checkpoint") o.emit({ type: "stage-checkpoint", key, step: m.step });
        },
      );
      if (served) return served;
      if (!r) return interrupted();
      if (r.ok) {
        const metrics = (r.meta["metrics"] ?? undefined) as Metrics | undefined;
        o.emit({ type: "stage-done", key, seconds: (Date.now() - started) / 1000, metrics });
        return { ok: true, dir: r.dir, metrics, executed: true };
      }
      if (r.interrupted) {
        o.emit({ type: "stage-skipped", key, reason: r.message });
        return { ok: false, executed: true, interrupted: true, message: r.message };
      }
      o.emit({ type: "stage-failed", key, message: r.message, step: r.step, term: r.term });
      return { ok: false, executed: true, message: r.message };
    } catch (e) {
      if (o.signal.aborted) return interrupted();
      const message = lock ? (e as Error).message : `cannot lock the cache entry: ${(e as Error).message}`;
      o.emit({ type: "stage-failed", key, message });
      return { ok: false, executed: false, message };
    } finally {
      await lock?.release();
    }
  };

  for (const k of plan.stages.keys()) {
    const p = runStage(k).catch((e: Error): StageOutcome => {
      o.emit({ type: "stage-failed", key: plan.stages.get(k)!.info.key, message: e.message });
      return { ok: false, executed: false, message: e.message };
    });
    promises.set(
      k,
      p.then((r) => {
        outcomes.set(k, r);
        return r;
      }),
    );
  }
  // Trials end as soon as their own stages have.
  const byCacheKey = new Map([...plan.stages].map(([k, s]) => [s.info.key, k]));
  await Promise.all(
    plan.trials.map(async (t) => {
      const rs = await Promise.all(
        Object.entries(t.stages).map(async ([name, ck]) => [name, await promises.get(byCacheKey.get(ck)!)!] as const),
      );
      trialMetrics.set(t.index + 1, trialDone(t.index + 1, rs, o.emit));
    }),
  );
  return { outcomes, trialMetrics, interrupted: o.signal.aborted };
}

/** A run's end as its run-done event counts it (less time and run dir), from its stages' outcomes. */
export function runTally(result: Pick<ExecuteResult, "outcomes" | "interrupted">) {
  const outcomes = [...result.outcomes.values()];
  const failed = outcomes.filter((x) => !x.ok && !x.interrupted && !x.skipped).length;
  const interrupted = result.interrupted || outcomes.some((x) => x.interrupted);
  return {
    ok: failed === 0 && !interrupted,
    interrupted,
    executed: outcomes.filter((x) => x.executed && x.ok).length,
    cached: outcomes.filter((x) => x.ok && !x.executed).length,
    failed,
  };
}

/** A trial's metrics (`stage.metric`), and its trial-done event. */
export function trialDone(
  trial: number,
  rs: readonly (readonly [string, StageOutcome])[],
  emit: (e: Unstamped) => void,
): Metrics {
  const metrics: Record<string, number | null> = {};
  for (const [name, r] of rs) for (const [m, v] of Object.entries(r.metrics ?? {})) metrics[`${name}.${m}`] = v;
  const failed = rs.filter(([, r]) => !r.ok).map(([name]) => name);
  emit({ type: "trial-done", trial, ok: failed.length === 0, metrics, failed });
  return metrics;
}

/**
 * Every entry is looked up first: a key needs only its inputs' keys, not their results, so a stage
 * whose consumers are all cached is not needed at all (`--only distill` with distill cached must
 * not retrain a collected pretrain). Keys are structural node keys.
 */
export async function lookupAll(
  plan: RunPlan,
  cache: Cache,
  emit: (e: Unstamped) => void,
): Promise<{ hits: Map<string, StageOutcome>; needed: Set<string> }> {
  const hits = new Map<string, StageOutcome>();
  for (const [k, s] of plan.stages) {
    const h = await lookup(cache, s.info.key, { emit });
    if (h) hits.set(k, h);
  }
  const needed = new Set<string>();
  const need = (k: string) => {
    if (needed.has(k)) return;
    needed.add(k);
    if (!hits.has(k)) plan.stages.get(k)!.inputs.forEach(need);
  };
  plan.roots.forEach(need);
  return { hits, needed };
}

async function lookup(
  cache: Cache,
  key: string,
  o: { emit: (e: Unstamped) => void },
): Promise<StageOutcome | undefined> {
  const r = await cache.lookup(key);
  if (r.status === "damaged") {
    o.emit({ type: "stage-damaged", key, reason: r.reason });
    return undefined;
  }
  if (r.status !== "hit") return undefined;
  o.emit({ type: "stage-cached", key });
  const metrics = ((r.manifest.meta as Record<string, unknown> | null)?.["metrics"] ?? undefined) as
    | Metrics
    | undefined;
  return { ok: true, dir: r.dir, metrics, executed: false };
}
