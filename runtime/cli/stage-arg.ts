// The STAGE [--trial N] arguments of `why` and `export`: a declared stage name, and which trial's
// node of it when a sweep gives it several definitions.
import { didYouMean } from "../../core/diagnostics.ts";
import type { Study } from "../../core/ir.ts";
import { showJson } from "../../lang/values.ts";
import type { PlannedStage, RunPlan } from "../plan/run-plan.ts";
import { UsageError } from "./command.ts";

/** Checks the name against the study before a session is opened (it becomes `--only`). */
export function checkStageName(study: Study, name: string, trainOnly: boolean): void {
  const names = [...new Set(study.trials.flatMap((t) => Object.keys(t.stages)))];
  const train = names.filter((n) => study.trials.some((t) => study.nodes[t.stages[n] ?? ""]?.kind === "train"));
  const allowed = trainOnly ? train : names;
  if (allowed.includes(name)) return;
  if (trainOnly && names.includes(name))
    throw new UsageError(`\`${name}\` is a bench; only train stages make models (${train.join(", ") || "none here"})`);
  const guess = didYouMean(name, allowed);
  throw new UsageError(
    `the study has no ${trainOnly ? "train stage" : "stage or bench"} \`${name}\`${guess ? `; did you mean \`${guess}\`?` : ""} (it has ${allowed.join(", ")})`,
  );
}

/** The stage's planned node for `--trial` (1-based), or for every trial when they share one node. */
export function pickStage(
  study: Study,
  plan: RunPlan,
  name: string,
  trialFlag: string | undefined,
): { stage: PlannedStage; trial: number } {
  const n = study.trials.length;
  if (trialFlag !== undefined) {
    const t = Number(trialFlag);
    if (!Number.isInteger(t) || t < 1 || t > n)
      throw new UsageError(`--trial must be a whole number from 1 to ${n}, got \`${trialFlag}\``);
    const node = study.trials[t - 1]!.stages[name];
    if (!node) throw new UsageError(`trial ${t} has no stage \`${name}\``);
    return { stage: plan.stages.get(node)!, trial: t };
  }
  const byNode = new Map<string, number[]>();
  for (const t of study.trials) {
    const node = t.stages[name];
    if (node) byNode.set(node, [...(byNode.get(node) ?? []), t.index + 1]);
  }
  if (byNode.size > 1) {
    const choices = [...byNode.values()].map((ts) => `  --trial ${ts[0]}${label(study, ts[0]!, ts.slice(1))}`);
    throw new UsageError(`\`${name}\` is defined differently in different trials; choose one:\n${choices.join("\n")}`);
  }
  const [[node, trials]] = [...byNode] as [[string, number[]]];
  return { stage: plan.stages.get(node)!, trial: trials[0]! };
}

function label(study: Study, trial: number, same: readonly number[]): string {
  const p = study.trials[trial - 1]!.params;
  const shown = study.swept.map((s) => `${s}=${showJson(p[s] ?? null)}`);
  if (same.length) shown.push(`the same node as trial${same.length > 1 ? "s" : ""} ${same.join(", ")}`);
  return shown.length ? `  (${shown.join("; ")})` : "";
}

/** A word as a POSIX shell reads it back. */
export function shellWord(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
