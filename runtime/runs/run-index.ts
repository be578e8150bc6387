// The index of runs in a cache: one JSON line per `scdx run`, naming the study file, the run
// directory and each stage's cache key with the fields it was made of. `scdx why` reads it to find
// a stage's previous key and tell which field changed, even after that entry was collected.
import { appendFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import type { KeyFields } from "../cache/store.ts";
import type { RunPlan } from "../plan/run-plan.ts";

export interface IndexedStage {
  readonly name: string;
  readonly trials: readonly number[];
  readonly node: string;
  readonly key: string;
  readonly fields: KeyFields;
}

export interface IndexedRun {
  readonly time: string;
  /** Absolute path of the study's main file. */
  readonly file: string;
  readonly experiment: string;
  readonly runDir: string | null;
  readonly stages: readonly IndexedStage[];
}

const FILE = "runs.jsonl";

export function indexRun(
  cacheRoot: string,
  file: string,
  experiment: string,
  runDir: string | null,
  plan: RunPlan,
): void {
  mkdirSync(cacheRoot, { recursive: true });
  const stages: IndexedStage[] = [...plan.stages.values()].map((s) => ({
    name: s.info.name,
    trials: s.info.trials,
    node: s.info.node,
    key: s.info.key,
    fields: s.fields,
  }));
  const run: IndexedRun = { time: new Date().toISOString(), file: path.resolve(file), experiment, runDir, stages };
  appendFileSync(path.join(cacheRoot, FILE), JSON.stringify(run) + "\n");
}

/** Runs of `file` (absolute), newest first; unreadable lines are skipped. */
export function runsOf(cacheRoot: string, file: string): IndexedRun[] {
  const p = path.join(cacheRoot, FILE);
  if (!existsSync(p)) return [];
  const out: IndexedRun[] = [];
  for (const line of readFileSync(p, "utf8").split("\n")) {
    if (!line) continue;
    try {
      const r = JSON.parse(line) as IndexedRun;
      if (r.file === path.resolve(file)) out.push(r);
    } catch {
      /* a torn last line from a crash */
    }
  }
  return out.reverse();
}
