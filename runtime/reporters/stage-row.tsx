// One trial × stage line of the Ink UI. The words come from a pure function (rowParts) so the
// layout rules — shared marks, truncation on narrow terminals — are testable without rendering.
import { Text } from "ink";
import type { Row, RunState, StageState } from "./state.ts";
import { SYMBOL, duration, failureText, keyPrefix, loss, rate, spinner, term } from "./text.ts";

export interface Layout {
  readonly name: number;
  readonly trial: number;
  /** Progress bar cells; 0 hides the bar on narrow terminals. */
  readonly bar: number;
  readonly count: number;
}

export function layout(state: RunState, width: number): Layout {
  const trial = String(state.trials.length).length + 1;
  const count = Math.max(3, ...state.stageOrder.map((k) => 2 * String(state.stages[k]!.total).length + 1));
  const bar = width >= 100 ? 20 : width >= 70 ? 10 : 0;
  const longest = Math.max(4, ...state.rows.map((r) => r.name.length));
  // Leave room for the fixed columns and about 30 characters of detail (loss, rate, eta).
  const room = width - 2 - (trial + 1) - (bar ? bar + 1 : 0) - (count + 1) - 30;
  return { name: Math.max(6, Math.min(longest, 24, room)), trial, bar, count };
}

export function progressBar(done: number, total: number, cells: number): string {
  const f = total > 0 ? Math.round((Math.min(Math.max(done, 0), total) / total) * cells) : 0;
  return "█".repeat(f) + "░".repeat(cells - f);
}

export function fit(s: string, width: number): string {
  return s.length <= width ? s.padEnd(width) : s.slice(0, Math.max(0, width - 1)) + "…";
}

export type Tone = "green" | "red" | "yellow" | "cyan" | "gray";

export interface RowParts {
  readonly symbol: string;
  readonly tone: Tone;
  readonly name: string;
  readonly trial: string;
  /** Bar and count, or empty when the status has no progress to show. */
  readonly bar: string;
  readonly count: string;
  readonly detail: string;
}

export function rowParts(state: RunState, row: Row, l: Layout): RowParts {
  const s = state.stages[row.key]!;
  const name = fit(row.name, l.name),
    trial = `#${row.trial}`.padEnd(l.trial);
  const base = { name, trial, bar: "", count: "" };
  if (row.sharedWith !== null) {
    return {
      ...base,
      symbol: SYMBOL.shared,
      tone: "cyan",
      detail: `= trial ${row.sharedWith} (shared${s.status === "planned" ? "" : `, ${s.status}`})`,
    };
  }
  const progress = (st: StageState) => ({
    bar: l.bar ? progressBar(st.done, st.total, l.bar) : "",
    count: `${st.done}/${st.total}`.padStart(l.count),
  });
  switch (s.status) {
    case "planned":
      return {
        ...base,
        symbol: SYMBOL.planned,
        tone: "gray",
        detail: s.damaged ? `damaged (${s.damaged}), will recompute` : "",
      };
    case "waiting":
      return { ...base, symbol: SYMBOL.waiting, tone: "yellow", detail: `waiting for lock: ${s.holder ?? "?"}` };
    case "cached":
      return { ...base, symbol: SYMBOL.cached, tone: "green", detail: `cached ${keyPrefix(s.info.key)}` };
    case "skipped":
      return { ...base, symbol: SYMBOL.skipped, tone: "gray", detail: `skipped: ${s.skipReason ?? ""}` };
    case "failed":
      return { ...base, ...progress(s), symbol: SYMBOL.failed, tone: "red", detail: `failed ${failureText(s)}` };
    case "done":
      return {
        ...base,
        ...progress(s),
        symbol: SYMBOL.done,
        tone: "green",
        detail: joined([s.loss !== undefined ? `loss ${loss(s.loss)}` : "", `done in ${duration(s.seconds ?? 0)}`]),
      };
    case "running":
      return { ...base, ...progress(s), symbol: spinner(state.now), tone: "cyan", detail: runningDetail(s) };
  }
}

function runningDetail(s: StageState): string {
  return joined([
    s.loss !== undefined ? `loss ${loss(s.loss)}` : "",
    s.rate !== undefined ? rate(s.rate, s.info.unit) : "",
    s.eta !== undefined ? `eta ${duration(s.eta)}` : "",
    s.damaged ? `recomputing (damaged: ${s.damaged})` : "",
    s.resumedAt !== undefined ? `resumed at ${s.resumedAt}` : "",
    s.terms
      ? Object.entries(s.terms)
          .map(([k, v]) => `${k} ${term(v)}`)
          .join(" ")
      : "",
    s.done === (s.resumedAt ?? 0) && s.loss === undefined ? "starting" : "",
    s.job ? `job ${s.job}` : "",
  ]);
}

function joined(parts: string[]): string {
  return parts.filter(Boolean).join("  ");
}

export function StageRow(props: { readonly state: RunState; readonly row: Row; readonly layout: Layout }) {
  const p = rowParts(props.state, props.row, props.layout);
  return (
    <Text wrap="truncate-end">
      <Text color={p.tone}>{p.symbol}</Text> {p.name} <Text dimColor>{p.trial}</Text>
      {p.bar ? <Text color={p.tone}> {p.bar}</Text> : null}
      {p.count ? ` ${p.count}` : ""}
      {p.detail ? <Text dimColor={p.tone === "gray"}>{`  ${p.detail}`}</Text> : null}
    </Text>
  );
}
