// Text rendering of stage sharing: a summary per stage name and a trial × stage table of node keys.
import { Chalk } from "chalk";
import { showJson } from "../../lang/values.ts";
import type { Plan } from "./stage-sharing.ts";
import { mb } from "./memory.ts";

export function table(rows: string[][], pad = 2): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => visible(r[i] ?? "").length)));
  return (
    rows
      .map((r) =>
        r
          .map((c, i) => (i === r.length - 1 ? c : c + " ".repeat(widths[i]! - visible(c).length + pad)))
          .join("")
          .trimEnd(),
      )
      .join("\n") + "\n"
  );
}

function visible(s: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the regex strips ANSI colour escapes, which start with ESC
  return s.replace(/\x1b\[[0-9;]*m/g, "");
}

/** What a run would do with each node: from the cache and the memory estimate (run --dry-run, plan). */
export interface PlanState {
  readonly backend: string;
  readonly cached: (node: string) => boolean;
  readonly memory: (node: string) => number | undefined;
  /** The cache key of a node: what `run` logs and `cache ls` lists (plan alone shows structural keys). */
  readonly key: (node: string) => string | undefined;
}

export function renderPlan(plan: Plan, opts: { color: boolean; maxTrials?: number; state?: PlanState }): string {
  const c = new Chalk({ level: opts.color ? 1 : 0 });
  const { study } = plan;
  const n = study.trials.length;
  const sweep = study.swept.length ? ` (sweep over ${study.swept.join(" × ")})` : "";
  let s = `${c.bold(study.experiment)}: ${n} trial${n === 1 ? "" : "s"}${sweep}; ${plan.distinct} distinct stage${plan.distinct === 1 ? "" : "s"} for ${plan.uses} trial×stage uses`;
  s += plan.uses > plan.distinct ? ` (${plan.uses - plan.distinct} shared)\n\n` : "\n\n";
  const st = opts.state;
  const rows = [
    ["stage", "kind", "nodes", "trials per node", ...(st ? ["cached", "to run", "memory"] : []), "reached by"].map(
      (h) => c.dim(h),
    ),
  ];
  let toRun = 0,
    cached = 0;
  for (const r of plan.rows) {
    const per = [...new Set(r.uses)].join("/");
    const shared = r.keys.length < n;
    const extra: string[] = [];
    if (st) {
      const hits = r.keys.filter((k) => st.cached(k)).length;
      cached += hits;
      toRun += r.keys.length - hits;
      const mem = Math.max(0, ...r.keys.map((k) => st.memory(k) ?? 0));
      extra.push(
        hits ? c.green(String(hits)) : "0",
        r.keys.length - hits ? c.yellow(String(r.keys.length - hits)) : "0",
        mem ? mb(mem) : "—",
      );
    }
    rows.push([
      c.bold(r.name),
      `${r.kind} ${r.op === "train" ? "" : r.op}`.trim(),
      String(r.keys.length),
      shared ? c.green(`${per} (shared)`) : per,
      ...extra,
      r.params.join(", ") || "—",
    ]);
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
      if (!k) {
        cells.push("—");
        continue;
      }
      const prev = firstUse.get(k);
      if (prev === undefined) firstUse.set(k, t.index + 1);
      const mark = st ? (st.cached(k) ? c.green(" ✓") : c.yellow(" ▶")) : "";
      cells.push(prev === undefined ? (st?.key(k) ?? k).slice(0, 8) + mark : c.dim(`= trial ${prev}`));
    }
    trows.push(cells);
  }
  s += table(trows);
  if (n > max) s += c.dim(`… ${n - max} more trials\n`);
  if (st)
    s += `\n${cached} cached (✓), ${toRun} to run (▶) on ${st.backend}; memory is the estimated peak of one stage.\n`;
  return s;
}
