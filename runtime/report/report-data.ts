// Everything a report shows, read from a run directory and the cache entries it names: no tensors
// run here (runners compute, reporters consume). A run still going, or whose driver died, reports
// what its events say has finished; entries collected since are listed as missing, not fatal.
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import type { Json } from "../../core/ir.ts";
import { UsageError } from "../../core/usage-error.ts";
import type { RunEvent, StageInfo } from "../events/events.ts";
import { readEvents, summarizeRun, type RunSummary } from "../runs/run-ref.ts";
import { readProbePictures, type ProbePictures } from "../../stdlib/metrics/probe-pictures.ts";

export interface TrialRow {
  readonly trial: number;
  readonly params: Readonly<Record<string, Json>>;
  readonly metrics: Readonly<Record<string, number | null>>;
  readonly ok: boolean;
  /** Why the trial has no (complete) metrics: failed or skipped stages, with their messages. */
  readonly failures: readonly string[];
}

export interface CurvePoint {
  readonly step: number;
  readonly loss: number;
  readonly terms: Readonly<Record<string, number>>;
  readonly lr: number;
}

export interface StageReport {
  readonly info: StageInfo;
  readonly status: "done" | "cached" | "failed" | "skipped" | "running" | "not run";
  readonly seconds: number | null;
  readonly message: string | null;
  /** The cache entry, when it is still there. */
  readonly entry: string | null;
  /** The manifest's key fields (value and why), when the entry is there. */
  readonly fields: Readonly<Record<string, { value: Json; why: string }>> | null;
  readonly curve: readonly CurvePoint[];
  /** The stage's resolved options (defaults filled) from the run's program.json; null without one. */
  readonly options: Readonly<Record<string, Json>> | null;
  /** A spatial probe's kept pictures (stdlib/metrics/probe-pictures.ts), when its entry has them. */
  readonly pictures: ProbePictures | null;
  /** Whether the bench measures a model no stage of this run trained (a teacher: the PCA reference). */
  readonly reference: boolean;
}

export interface ReportData {
  readonly summary: RunSummary;
  readonly file: string;
  readonly environment: Readonly<Record<string, Json>>;
  /** display path → text, main file first (runs before sources.json existed: empty). */
  readonly sources: Readonly<Record<string, string>>;
  readonly swept: readonly string[];
  readonly trials: readonly TrialRow[];
  readonly stages: readonly StageReport[];
  /** Entries the run made that the cache no longer holds. */
  readonly missing: readonly string[];
}

const readJson = <T>(file: string): T | undefined =>
  existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as T) : undefined;

function entryDir(cacheRoot: string, key: string): string {
  return path.join(cacheRoot, "entries", key.slice(0, 2), key);
}

function readCurve(entry: string): CurvePoint[] {
  const file = path.join(entry, "train.jsonl");
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as CurvePoint);
}

/**
 * Metrics with the same value in every trial that has them (e.g. a shared teacher's bench), unless
 * that is all of them.
 */
export function constantMetrics(trials: readonly TrialRow[]): Map<string, number | null> {
  const seen = new Map<string, Set<number | null>>();
  for (const t of trials)
    for (const [m, v] of Object.entries(t.metrics)) seen.set(m, (seen.get(m) ?? new Set()).add(v));
  const out = new Map<string, number | null>();
  if (trials.length < 2) return out;
  for (const [m, vs] of seen) if (vs.size === 1) out.set(m, [...vs][0]!);
  // every metric constant (a sweep with no effect yet): keep them all in the table, one row a trial
  if (out.size === seen.size) out.clear();
  return out;
}

/** `extra`: events not in the run's log yet (a detached Slurm run's, read from its jobs' files). */
export function loadReport(runDir: string, extra: readonly RunEvent[] = []): ReportData {
  const summary = summarizeRun(runDir);
  const env = readJson<Record<string, Json>>(path.join(runDir, "environment.json")) ?? {};
  const events = [...readEvents(runDir), ...extra];
  const start = events.find((e) => e.type === "run-start") as Extract<RunEvent, { type: "run-start" }> | undefined;
  if (!start) throw new UsageError(`${runDir}: the run recorded no run-start event, so there is nothing to report yet`);
  const cacheRoot = String(env["cache"] ?? "");
  const byKey = new Map<string, RunEvent[]>();
  for (const e of events) if ("key" in e) byKey.set(e.key, [...(byKey.get(e.key) ?? []), e]);

  const program = readJson<{
    nodes: Record<string, { kind: string; options?: Record<string, Json>; inputs?: Record<string, { key: string }> }>;
  }>(path.join(runDir, "program.json"));
  const trainedModel = (node: string) => {
    const model = program?.nodes[node]?.inputs?.["model"]?.key;
    return model !== undefined && program?.nodes[model]?.kind === "train";
  };
  const missing: string[] = [];
  const stages: StageReport[] = start.stages.map((info) => {
    const ev = byKey.get(info.key) ?? [];
    const last = (t: RunEvent["type"]) => ev.filter((e) => e.type === t).pop();
    const done = last("stage-done") as Extract<RunEvent, { type: "stage-done" }> | undefined;
    const failed = last("stage-failed") as Extract<RunEvent, { type: "stage-failed" }> | undefined;
    const skipped = last("stage-skipped") as Extract<RunEvent, { type: "stage-skipped" }> | undefined;
    const status: StageReport["status"] = done
      ? "done"
      : last("stage-cached")
        ? "cached"
        : failed
          ? "failed"
          : skipped
            ? "skipped"
            : last("stage-started")
              ? "running"
              : "not run";
    const dir = cacheRoot ? entryDir(cacheRoot, info.key) : "";
    const manifest = dir ? readJson<{ fields: StageReport["fields"] }>(path.join(dir, "manifest.json")) : undefined;
    if ((status === "done" || status === "cached") && !manifest)
      missing.push(`${info.name} (${info.key.slice(0, 12)})`);
    return {
      info,
      status,
      seconds: done?.seconds ?? null,
      message: failed
        ? `${failed.message}${failed.step !== undefined ? ` (step ${failed.step})` : ""}`
        : (skipped?.reason ?? null),
      entry: manifest ? dir : null,
      fields: manifest?.fields ?? null,
      curve: manifest && info.kind === "train" ? readCurve(dir) : [],
      options: program?.nodes[info.node]?.options ?? null,
      pictures: manifest && info.op === "unsupervised_segmentation" ? (readProbePictures(dir) ?? null) : null,
      reference: info.kind === "bench" && !trainedModel(info.node),
    };
  });
  if (!stages.some((s) => s.status === "done" || s.status === "cached" || s.status === "failed"))
    throw new UsageError(`${runDir}: no stage of this run has finished yet; nothing to report`);

  // Per-trial metrics: results.json once the run ended, else what trial-done events said so far.
  const results = readJson<{
    trials: { trial: number; params: Record<string, Json>; metrics: Record<string, number | null> }[];
  }>(path.join(runDir, "results.json"));
  const trialDone = new Map<number, Extract<RunEvent, { type: "trial-done" }>>();
  for (const e of events) if (e.type === "trial-done") trialDone.set(e.trial, e);
  const status = new Map(stages.map((s) => [s.info.key, s]));
  const trials: TrialRow[] = start.trials.map((t) => {
    const n = t.index + 1;
    const fromResults = results?.trials.find((r) => r.trial === n);
    const failures = Object.entries(t.stages)
      .map(([name, key]) => ({ name, s: status.get(key) }))
      .filter(({ s }) => s && (s.status === "failed" || s.status === "skipped"))
      .map(({ name, s }) => `${name} ${s!.status}: ${s!.message ?? ""}`.trim());
    return {
      trial: n,
      params: t.params,
      metrics: fromResults?.metrics ?? trialDone.get(n)?.metrics ?? {},
      ok: failures.length === 0 && (trialDone.get(n)?.ok ?? fromResults !== undefined),
      failures,
    };
  });
  return {
    summary,
    file: start.file,
    environment: env,
    sources: readJson<Record<string, string>>(path.join(runDir, "sources.json")) ?? {},
    swept: start.swept,
    trials,
    stages,
    missing,
  };
}
