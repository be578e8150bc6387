// Text rendering of a plan: a summary per stage name and a trial × stage table of node keys.
import { Chalk } from "chalk";
import { showJson } from "../lang/values.ts";
import type { Plan } from "./plan.ts";

export function table(rows: string[][], pad = 2): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => visible(r[i] ?? "").length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c + " ".repeat(widths[i]! - visible(c).length + pad))).join("").trimEnd()).join("\n") + "\n";
}

function visible(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\x1b\[[0-9;]*m/g, "");
}

export function renderPlan(plan: Plan, opts: { color: boolean; maxTrials?: number }): string {
  const c = new Chalk({ level: opts.color ? 1 : 0 });
  const { study } = plan;
  const n = study.trials.length;
  const sweep = study.swept.length ? ` (sweep over ${study.swept.join(" × ")})` : "";
  let s = `${c.bold(study.experiment)}: ${n} trial${n === 1 ? "" : "s"}${sweep}; ${plan.distinct} distinct stage${plan.distinct === 1 ? "" : "s"} for ${plan.uses} trial×stage uses`;
  s += plan.uses > plan.distinct ? ` (${plan.uses - plan.distinct} shared)\n\n` : "\n\n";
  const rows = [["stage", "kind", "nodes", "trials per node", "reached by"].map((h) => c.dim(h))];
  for (const r of plan.rows) {
    const per = [...new Set(r.uses)].join("/");
    const shared = r.keys.length < n;
    rows.push([c.bold(r.name), `${r.kind} ${r.op === "train" ? "" : r.op}`.trim(), String(r.keys.length), shared ? c.green(`${per} (shared)`) : per, r.params.join(", ") || "—"]);
  }
  s += table(rows) + "\n";
  const max = opts.maxTrials ?? 50;
  const names = plan.rows.map((r) => r.name);
  const head = ["trial", ...study.swept, ...names].map((h) => c.dim(h));
  const trows = [head];
  const firstUse = new Map<string, number>();
  for (const t of study.trials.slice(0, max)) {
    const cells = [String(t.index + 1), ...study.swept.map((p) => showJson(t.params[p] ?? null))];
    for (const name of names) {
      const k = t.stages[name];
      if (!k) { cells.push("—"); continue; }
      const prev = firstUse.get(k);
      if (prev === undefined) firstUse.set(k, t.index + 1);
      cells.push(prev === undefined ? k.slice(0, 8) : c.dim(`= trial ${prev}`));
    }
    trows.push(cells);
  }
  s += table(trows);
  if (n > max) s += c.dim(`… ${n - max} more trials\n`);
  return s;
}
