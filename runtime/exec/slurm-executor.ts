// The Slurm executor: looks every stage up in the cache (as the local executor does), submits what
// is missing as one DAG of job arrays (slurm-submit.ts), records it in RUN/slurm/dag.json, and —
// unless detached — follows it to the end (slurm-follow.ts). Cancelling lets running train stages
// checkpoint: pending tasks are cancelled, running ones get SIGINT (their batch script passes it to
// the worker), and whatever is still there a minute later is cancelled outright.
import { rmSync } from "node:fs";
import * as path from "node:path";
import type { Study } from "../../core/ir.ts";
import { localNodes } from "../cache/key.ts";
import type { Cache } from "../cache/store.ts";
import type { Metrics } from "../events/events.ts";
import type { RunPlan } from "../plan/run-plan.ts";
import { type ExecuteResult, lookupAll, type StageOutcome, trialDone, type Unstamped } from "./executor.ts";
import { type SlurmDag, writeDag } from "./slurm-dag.ts";
import { followDag } from "./slurm-follow.ts";
import { ALIVE, queueRecord, queueStates, type SubmitOptions, type SubmitStage, submitDag } from "./slurm-submit.ts";

export interface SlurmExecuteOptions {
  readonly study: Study;
  readonly plan: RunPlan;
  readonly cache: Cache;
  readonly runDir: string;
  readonly emit: (e: Unstamped) => void;
  /** Aborted on Ctrl-C: the run's jobs are cancelled (train stages checkpoint first). */
  readonly signal: AbortSignal;
  readonly batchThreads: number;
  readonly submit: Omit<SubmitOptions, "dir" | "cacheRoot" | "runDir">;
  /** Submit and return: `scdx attach` follows the run. */
  readonly detach: boolean;
  readonly t0: number;
}

/** The run's result, or the submitted DAG when detached. */
export async function executeSlurm(o: SlurmExecuteOptions): Promise<ExecuteResult | { detached: SlurmDag }> {
  const { plan, cache } = o;
  const { hits, needed } = await lookupAll(plan, cache, o.emit);
  const settled: Record<string, StageOutcome> = {};
  const misses: SubmitStage[] = [];
  for (const [k, s] of plan.stages) {
    const hit = hits.get(k);
    if (hit) settled[k] = hit;
    else if (!needed.has(k)) {
      o.emit({ type: "stage-skipped", key: s.info.key, reason: "not needed: every stage that uses it is cached" });
      settled[k] = { ok: true, executed: false, skipped: true };
    } else {
      const inputs = s.inputs.map((i) => plan.stages.get(i)!);
      misses.push({
        key: s.info.key,
        name: s.info.name,
        kind: s.info.kind,
        memory: s.info.memory,
        needs: s.inputs.filter((i) => !hits.has(i)).map((i) => plan.stages.get(i)!.info.key),
        job: {
          key: s.info.key,
          node: s.node,
          nodes: Object.fromEntries(localNodes(o.study, k).map((n) => [n.key, n])),
          entries: Object.fromEntries(
            inputs.map((i) => [i.info.node, hits.get(i.info.node)?.dir ?? cache.entryDir(i.info.key)]),
          ),
          fields: s.fields,
          cacheRoot: cache.root,
          workDir: path.join(cache.root, "work", s.info.key),
          batchThreads: o.batchThreads,
          needs: inputs.filter((i) => !hits.has(i.info.node)).map((i) => ({ name: i.info.name, key: i.info.key })),
        },
      });
    }
  }
  const sub = misses.length
    ? await submitDag(misses, {
        ...o.submit,
        dir: path.join(o.runDir, "slurm"),
        cacheRoot: cache.root,
        runDir: o.runDir,
      })
    : { stages: [], arrays: [], sbatchCalls: 0 };
  const dag: SlurmDag = {
    version: 1,
    t0: o.t0,
    arrays: sub.arrays,
    stages: sub.stages,
    settled: Object.fromEntries(
      Object.entries(settled).map(([k, r]) => [k, { ok: r.ok, dir: r.dir, metrics: r.metrics, skipped: r.skipped }]),
    ),
    record: misses.length ? queueRecord(cache.root, o.runDir) : undefined,
    sbatchCalls: sub.sbatchCalls,
  };
  if (misses.length) writeDag(o.runDir, dag);
  if (o.detach && misses.length) return { detached: dag };
  return finishDag(dag, plan, o.emit, { signal: o.signal });
}

/** Follows a submitted DAG to its end and ends the trials; undefined when detached (attach's Ctrl-C). */
export async function finishDag(
  dag: SlurmDag,
  plan: Pick<RunPlan, "trials"> & { readonly stages: ReadonlyMap<string, { readonly info: { readonly key: string } }> },
  emit: (e: Unstamped) => void,
  opts: {
    signal?: AbortSignal;
    detach?: AbortSignal;
    quiet?: ReadonlySet<string>;
    endedTrials?: ReadonlySet<number>;
  },
): Promise<ExecuteResult> {
  let cancelling = false;
  const onAbort = () => {
    cancelling = true;
    void cancelDag(dag);
  };
  opts.signal?.addEventListener("abort", onAbort, { once: true });
  const byKey = new Map([...plan.stages].map(([k, s]) => [s.info.key, k]));
  const outcomes = new Map<string, StageOutcome>();
  for (const [k, r] of Object.entries(dag.settled)) outcomes.set(k, r as StageOutcome);
  // Trials end as soon as their own stages have (the grouped view ranks them while the rest run).
  const trialMetrics = new Map<number, Metrics>();
  const users = new Map<string, (typeof plan.trials)[number][]>();
  for (const t of plan.trials) for (const ck of Object.values(t.stages)) users.set(ck, [...(users.get(ck) ?? []), t]);
  const endTrials = (trials: typeof plan.trials, all: boolean) => {
    for (const t of trials) {
      if (trialMetrics.has(t.index + 1)) continue;
      const rs = Object.entries(t.stages).map(([name, ck]) => [name, outcomes.get(byKey.get(ck)!)] as const);
      if (!all && rs.some(([, r]) => !r)) continue;
      const known = rs.map(([name, r]) => [name, r ?? { ok: false, executed: false }] as const);
      // a re-attach does not log again the trials the run's events already ended
      const quiet = opts.endedTrials?.has(t.index + 1);
      trialMetrics.set(t.index + 1, trialDone(t.index + 1, known, quiet ? () => {} : emit));
    }
  };
  const followed = await followDag(dag.stages, {
    emit,
    cancelling: () => cancelling,
    detach: opts.detach,
    quiet: opts.quiet,
    onOutcome: (key, r) => {
      outcomes.set(byKey.get(key)!, r);
      endTrials(users.get(key) ?? [], false);
    },
  });
  opts.signal?.removeEventListener("abort", onAbort);
  if (followed && dag.record) rmSync(dag.record, { force: true }); // every job has ended: nothing to adopt
  if (followed) endTrials(plan.trials, true);
  return { outcomes, trialMetrics, interrupted: cancelling || !followed };
}

/**
 * Cancels a run's jobs, letting running train stages checkpoint: pending tasks go at once, running
 * ones get SIGINT, and what is still alive after `graceMs` is cancelled outright. Returns the job
 * ids it signalled.
 */
export async function cancelDag(dag: Pick<SlurmDag, "arrays" | "stages">, graceMs = 60_000): Promise<string[]> {
  const { execa } = await import("execa");
  const mine = dag.arrays.filter((a) => !a.includes("_")); // adopted jobs belong to another run
  if (!mine.length) return [];
  await execa("scancel", ["--state=PENDING", ...mine], { reject: false });
  await execa("scancel", ["--signal=INT", "--batch", ...mine], { reject: false });
  const ours = dag.stages.filter((s) => !s.adopted).map((s) => s.job);
  const until = Date.now() + graceMs;
  while (Date.now() < until) {
    const states = await queueStates(ours);
    if (![...states.values()].some((s) => ALIVE.has(s))) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  await execa("scancel", mine, { reject: false });
  return mine;
}
