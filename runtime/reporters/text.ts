// Words and numbers shared by the plain log and the Ink UI, so both say the same thing the same way.
import { Chalk, type ChalkInstance } from "chalk";
import { formatTable, resultsTable } from "../events/results.ts";
import type { StageInfo } from "../events/events.ts";
import { statusCounts, trialMetrics, type RunState, type StageState, type StageStatus } from "./state.ts";

export const SYMBOL: Record<StageStatus | "shared", string> = {
  done: "✓",
  cached: "≡",
  shared: "↻",
  running: "⠋",
  failed: "✗",
  planned: "·",
  waiting: "⏸",
  skipped: "⊘",
};

const SPINNER = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/** A spinner frame from the event clock, so a replay shows the same frames. */
export function spinner(now: number): string {
  return SPINNER[Math.floor(now / 100) % SPINNER.length]!;
}

export function chalk(color: boolean): ChalkInstance {
  return new Chalk({ level: color ? 1 : 0 });
}

/** `45s`, `1m30s`, `2h05m`, `3d04h`. */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h${String(Math.floor(s / 60) % 60).padStart(2, "0")}m`;
  return `${Math.floor(s / 86400)}d${String(Math.floor(s / 3600) % 24).padStart(2, "0")}h`;
}

/** Elapsed wall clock as `mm:ss` or `h:mm:ss`. */
export function clock(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const mm = String(Math.floor(s / 60) % 60).padStart(2, "0"),
    ss = String(s % 60).padStart(2, "0");
  return s >= 3600 ? `${Math.floor(s / 3600)}:${mm}:${ss}` : `${mm}:${ss}`;
}

export function loss(v: number): string {
  return Math.abs(v) < 1000 ? v.toFixed(4) : v.toExponential(3);
}

/** Two significant digits: loss terms are read for their balance, not their decimals. */
export function term(v: number): string {
  return String(Number(v.toPrecision(2)));
}

export function rate(v: number, unit: StageInfo["unit"]): string {
  return `${v < 100 ? v.toFixed(1) : v.toFixed(0)} ${unit === "steps" ? "steps/s" : "img/s"}`;
}

export function keyPrefix(key: string): string {
  return key.slice(0, 8);
}

/** `trial 2`, `trials 1-3, 5`. */
export function trialsLabel(trials: readonly number[]): string {
  const parts: string[] = [];
  const xs = [...trials].sort((a, b) => a - b);
  for (let i = 0; i < xs.length; ) {
    let j = i;
    while (j + 1 < xs.length && xs[j + 1] === xs[j]! + 1) j++;
    parts.push(j > i + 1 ? `${xs[i]}-${xs[j]}` : j === i + 1 ? `${xs[i]}, ${xs[j]}` : `${xs[i]}`);
    i = j + 1;
  }
  return `${xs.length === 1 ? "trial" : "trials"} ${parts.join(", ")}`;
}

/** `loss 0.4312 (rla 0.31 scd 0.12)`, or empty before the first loss. */
export function lossText(s: StageState): string {
  if (s.loss === undefined) return "";
  const terms =
    s.terms && Object.keys(s.terms).length
      ? ` (${Object.entries(s.terms)
          .map(([k, v]) => `${k} ${term(v)}`)
          .join(" ")})`
      : "";
  return `loss ${loss(s.loss)}${terms}`;
}

/** `step 120/400`, `image 30/200`. */
export function countText(s: StageState): string {
  return `${s.info.unit === "steps" ? "step" : "image"} ${s.done}/${s.total}`;
}

export function failureText(s: StageState): string {
  const e = s.error;
  if (!e) return "";
  const where = [e.step !== undefined ? `at step ${e.step}` : "", e.term ? `in term ${e.term}` : ""]
    .filter(Boolean)
    .join(", ");
  return `${where ? where + ": " : ""}${e.message}`;
}

/** The header line: experiment, trials, sweep, stages, backend, jobs. */
export function headerText(state: RunState, c: ChalkInstance): string {
  const r = state.run;
  if (!r) return "";
  const n = state.trials.length;
  const sweep = r.swept.length ? ` (sweep over ${r.swept.join(" × ")})` : "";
  const shared = state.rows.length - state.stageOrder.length;
  const d = state.stageOrder.length;
  return (
    `${c.bold(r.experiment)} ${c.dim(r.file)}: ${n} trial${n === 1 ? "" : "s"}${sweep}; ${d} distinct stage${d === 1 ? "" : "s"}` +
    `${shared > 0 ? ` for ${state.rows.length} trial×stage uses (${shared} shared)` : ""} — backend ${r.backend}, ${r.jobs} job${r.jobs === 1 ? "" : "s"}`
  );
}

/**
 * The results table (if any trial reported metrics) and the summary, once the run is done. The
 * table is laid out to fit `width` columns (default 100).
 */
export function endText(state: RunState, color: boolean, width?: number, top?: number): string {
  const c = chalk(color);
  const d = state.done;
  if (!d || !state.run) return "";
  let s = "";
  const metrics = trialMetrics(state);
  if ([...metrics.values()].some((m) => Object.keys(m).length)) {
    const table = resultsTable(
      state.trials.map((t) => t.info),
      state.run.swept,
      metrics,
    );
    // a large run ends with its best rows by the first metric, not a thousand-column table
    const metric = table.metrics[0];
    const scored = metric ? table.rows.filter((r) => r.metrics[metric]?.mean != null) : table.rows;
    const cut =
      top !== undefined && metric && table.rows.length > top
        ? {
            ...table,
            rows: [...scored]
              .sort(
                (a, b) =>
                  (b.metrics[metric]?.mean ?? Number.NEGATIVE_INFINITY) -
                  (a.metrics[metric]?.mean ?? Number.NEGATIVE_INFINITY),
              )
              .slice(0, top),
          }
        : table;
    if (cut !== table)
      s += c.dim(`best ${top} of ${scored.length} finished by ${metric}; \`scdx results\` lists them all`) + "\n";
    s += formatTable(cut, { color, width }) + "\n";
  }
  const counts = statusCounts(state);
  const what = d.interrupted ? c.yellow("interrupted") : d.ok ? c.green("done") : c.red("failed");
  s += `${what} in ${duration(d.seconds)}: ${d.executed} executed, ${d.cached} cached, ${d.failed} failed`;
  if (counts.skipped) s += `, ${counts.skipped} skipped`;
  s += "\n";
  const failed = state.stageOrder.map((k) => state.stages[k]!).filter((st) => st.status === "failed");
  for (const st of failed) {
    s += `  ${c.red(SYMBOL.failed)} ${st.info.name} ${c.dim(keyPrefix(st.info.key))} (${trialsLabel(st.info.trials)}) ${failureText(st)}\n`;
  }
  if (d.runDir) s += `run dir ${d.runDir}\n`;
  return s;
}
