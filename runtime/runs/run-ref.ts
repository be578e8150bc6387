// Finding runs: the run directories of a project (.scdx/runs/<id>/), what each one holds so far,
// and what a RUN argument names — a run directory, a run id (or a unique prefix or suffix of
// one), or, when absent, the project's latest run. Read-only: it never starts or changes a run.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import { UsageError } from "../../core/usage-error.ts";
import type { RunEvent } from "../events/events.ts";

export interface RunSummary {
  readonly id: string;
  readonly dir: string;
  readonly experiment: string;
  /** ISO time the run started (environment.json), or the directory's mtime. */
  readonly started: string;
  readonly trials: number;
  readonly stages: number;
  /** done: run-done says ok; failed: it says otherwise; interrupted; running: no run-done yet. */
  readonly status: "done" | "failed" | "interrupted" | "running";
  readonly seconds: number | null;
}

export const runsRoot = (projectDir: string) => path.join(projectDir, ".scdx", "runs");

/** Whether `dir` is a run directory (it has the program a run writes first). */
export function isRunDir(dir: string): boolean {
  return existsSync(path.join(dir, "program.json")) && existsSync(path.join(dir, "environment.json"));
}

export function readEvents(dir: string): RunEvent[] {
  const file = path.join(dir, "events.jsonl");
  if (!existsSync(file)) return [];
  const out: RunEvent[] = [];
  for (const line of readFileSync(file, "utf8").split("\n")) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as RunEvent);
    } catch {
      // a run killed mid-write leaves a partial last line: everything before it still counts
    }
  }
  return out;
}

export function summarizeRun(dir: string): RunSummary {
  const env = JSON.parse(readFileSync(path.join(dir, "environment.json"), "utf8")) as { started?: string };
  const ev = readEvents(dir);
  const start = ev.find((e) => e.type === "run-start") as Extract<RunEvent, { type: "run-start" }> | undefined;
  const done = ev.find((e) => e.type === "run-done") as Extract<RunEvent, { type: "run-done" }> | undefined;
  return {
    id: path.basename(dir),
    dir,
    experiment: start?.experiment ?? path.basename(dir).split("-").slice(2, -1).join("-"),
    started: env.started ?? statSync(dir).mtime.toISOString(),
    trials: start?.trials.length ?? 0,
    stages: start?.stages.length ?? 0,
    status: !done ? "running" : done.interrupted ? "interrupted" : done.ok ? "done" : "failed",
    seconds: done?.seconds ?? null,
  };
}

/** The project's runs, oldest first (ids begin with the start time). */
export function listRuns(projectDir: string): RunSummary[] {
  const root = runsRoot(projectDir);
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .sort()
    .map((id) => path.join(root, id))
    .filter(isRunDir)
    .map(summarizeRun);
}

/** The run directory RUN names (see the file header); a usage error naming what is wrong otherwise. */
export function resolveRun(arg: string | undefined, projectDir: string, cwd: string): string {
  if (arg === undefined) {
    const runs = listRuns(projectDir);
    if (!runs.length) throw new UsageError(`no runs in ${runsRoot(projectDir)}: \`scdx run FILE\` makes one`);
    return runs[runs.length - 1]!.dir;
  }
  const asPath = path.resolve(cwd, arg);
  if (existsSync(asPath)) {
    if (!statSync(asPath).isDirectory() || !isRunDir(asPath))
      throw new UsageError(`${arg} is not a run directory (it has no program.json and environment.json)`);
    return asPath;
  }
  const ids = listRuns(projectDir).map((r) => r.id);
  const hits = ids.filter((id) => id === arg || id.startsWith(arg) || id.endsWith(arg));
  if (hits.length === 1) return path.join(runsRoot(projectDir), hits[0]!);
  if (hits.length > 1)
    throw new UsageError(`\`${arg}\` names ${hits.length} runs (${hits.slice(0, 3).join(", ")}…): give more of the id`);
  throw new UsageError(
    `no run \`${arg}\`: not a directory, and no run id in ${runsRoot(projectDir)} matches (\`scdx runs\` lists them)`,
  );
}
