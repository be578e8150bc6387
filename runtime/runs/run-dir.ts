// The run directory: one per `scdx run`, everything needed to read or reproduce it later — the
// resolved program, the event log (appended as it happens, so a crash loses nothing written),
// the results as JSON and CSV, the backend and versions, and links to the cache entries.
import { appendFileSync, mkdirSync, symlinkSync, writeFileSync, existsSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Study } from "../../core/ir.ts";
import type { Reporter, RunEvent, StageInfo } from "../events/events.ts";
import { resultsTable, toCsv } from "../events/results.ts";
import type { RunPlan } from "../plan/run-plan.ts";
import type { StageOutcome } from "../exec/executor.ts";

export function runId(experiment: string, now = new Date()): string {
  const p = (n: number, w = 2) => String(n).padStart(w, "0");
  // Milliseconds too, so that names sort in start order even for runs started within one second.
  const stamp = `${now.getFullYear()}${p(now.getMonth() + 1)}${p(now.getDate())}-${p(now.getHours())}${p(now.getMinutes())}${p(now.getSeconds())}.${p(now.getMilliseconds(), 3)}`;
  return `${stamp}-${experiment}-${process.pid}`;
}

export function createRunDir(root: string, id: string): string {
  const dir = path.join(root, id);
  mkdirSync(dir, { recursive: true });
  return dir;
}

export interface RunEnvironment {
  readonly scdx: string;
  readonly backend: string;
  readonly node: string;
  readonly tfjs: string;
  readonly platform: string;
  readonly cpus: number;
  /** How the run used the CPUs (runtime/exec/thread-policy.ts). */
  readonly threads?: {
    readonly cpus: number;
    readonly cpusFrom: string;
    readonly jobs: number;
    readonly blasThreads: number;
    readonly batchThreads: number;
  };
  readonly host: string;
  readonly cache: string;
  readonly argv: readonly string[];
}

export function writeProgram(dir: string, study: Study, env: RunEnvironment): void {
  writeFileSync(path.join(dir, "program.json"), JSON.stringify(study, null, 1) + "\n");
  writeFileSync(
    path.join(dir, "environment.json"),
    JSON.stringify({ ...env, started: new Date().toISOString() }, null, 2) + "\n",
  );
}

/**
 * sources.json: every .scd file the run compiled, as it was when the run started ({ path as shown
 * in diagnostics: text }, main file first), so a report shows what ran, not what was edited since.
 */
export function writeSources(dir: string, files: readonly { display: string; text: string }[]): void {
  const out: Record<string, string> = {};
  for (const f of files) out[f.display] = f.text;
  writeFileSync(path.join(dir, "sources.json"), JSON.stringify(out, null, 1) + "\n");
}

/** Appends every event to events.jsonl as it happens. */
export function eventLog(dir: string): Reporter {
  const file = path.join(dir, "events.jsonl");
  return { event: (e: RunEvent) => appendFileSync(file, JSON.stringify(e) + "\n") };
}

export function writeResults(
  dir: string,
  study: Pick<Study, "experiment" | "swept">,
  plan: Pick<RunPlan, "trials"> & { readonly stages: ReadonlyMap<string, { readonly info: StageInfo }> },
  outcomes: ReadonlyMap<string, StageOutcome>,
  metrics: Parameters<typeof resultsTable>[2],
  opts: { links?: boolean } = {},
): void {
  const perTrial = resultsTable(plan.trials, study.swept, metrics, { group: false });
  const grouped = resultsTable(plan.trials, study.swept, metrics);
  const stages = [...plan.stages.values()].map((s) => {
    const r = outcomes.get(s.info.node);
    return {
      name: s.info.name,
      key: s.info.key,
      trials: s.info.trials,
      ok: r?.ok ?? false,
      executed: r?.executed ?? false,
      entry: r?.dir ?? null,
      error: r?.message ?? null,
      metrics: r?.metrics ?? null,
    };
  });
  const trials = plan.trials.map((t) => ({
    trial: t.index + 1,
    params: t.params,
    metrics: metrics.get(t.index + 1) ?? {},
  }));
  writeFileSync(
    path.join(dir, "results.json"),
    JSON.stringify({ experiment: study.experiment, swept: study.swept, trials, stages }, null, 2) + "\n",
  );
  writeFileSync(path.join(dir, "results.csv"), toCsv(perTrial));
  if (grouped.grouped) writeFileSync(path.join(dir, "results-by-seed.csv"), toCsv(grouped));
  // entries/<stage>[-<trials>] → the cache entry: the models and metrics behind every number above.
  if (opts.links === false) return;
  const links = path.join(dir, "entries");
  mkdirSync(links, { recursive: true });
  for (const s of stages) {
    if (!s.entry) continue;
    const name = `${s.name}${plan.trials.length > 1 ? `-trial${s.trials.join("+")}` : ""}`;
    const at = path.join(links, name.length > 100 ? `${s.name}-${s.key.slice(0, 12)}` : name);
    if (!existsSync(at))
      try {
        symlinkSync(s.entry, at, "dir");
      } catch {
        /* a filesystem without symlinks: results.json has the paths */
      }
  }
}

export function environment(
  scdx: string,
  backend: string,
  tfjs: string,
  cache: string,
  argv: readonly string[],
  threads?: RunEnvironment["threads"],
): RunEnvironment {
  return {
    scdx,
    backend,
    node: process.version,
    tfjs,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    cpus: os.cpus().length,
    ...(threads && { threads }),
    host: os.hostname(),
    cache,
    argv,
  };
}
