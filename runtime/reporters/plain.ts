// The line-oriented log of a run, for CI and anything that is not a terminal: one line per stage
// transition, progress lines throttled per stage by the events' own clock (never Date.now(), so a
// replayed events.jsonl prints the same log), and the results table and summary at the end.
import type { Reporter, RunEvent } from "../events/events.ts";
import { initialState, reduce, statusCounts, type RunState, type StageState } from "./state.ts";
import {
  SYMBOL,
  chalk,
  clock,
  countText,
  duration,
  endText,
  failureText,
  headerText,
  keyPrefix,
  lossText,
  rate,
  trialsLabel,
} from "./text.ts";

export interface PlainOptions {
  readonly color: boolean;
  /** Minimum seconds between two progress lines of one stage (default 10). */
  readonly progressEverySeconds?: number;
  /** Columns the results table must fit in (default 100); a terminal's `columns` when there is one. */
  readonly width?: number;
}

export function plainReporter(write: (s: string) => void, opts: PlainOptions): Reporter {
  const c = chalk(opts.color);
  const every = (opts.progressEverySeconds ?? 10) * 1000;
  let state: RunState = initialState();
  let announced = false;
  const lastProgress = new Map<string, number>();

  const line = (s: string) => write(`${c.dim(`[${clock(state.now - (state.run?.t ?? state.now))}]`)} ${s}\n`);
  const who = (s: StageState) =>
    `${c.bold(s.info.name)} [${trialsLabel(s.info.trials)}] ${c.dim(keyPrefix(s.info.key))}`;

  // Cached stages are reported right after run-start; the first other event closes that phase.
  const announce = () => {
    if (announced || !state.run) return;
    announced = true;
    const n = statusCounts(state);
    line(
      `${state.stageOrder.length - n.cached} stage${state.stageOrder.length - n.cached === 1 ? "" : "s"} to run, ${n.cached} cached`,
    );
  };

  return {
    event(e: RunEvent) {
      state = reduce(state, e);
      if (e.type === "run-start") {
        write(headerText(state, c) + "\n");
        return;
      }
      if (e.type !== "stage-cached") announce();
      if (e.type === "trial-done") {
        line(
          `${e.ok ? c.green("trial " + e.trial + " done") : c.red("trial " + e.trial + " failed")}` +
            `${e.failed.length ? ` (${e.failed.join(", ")})` : ""}`,
        );
        return;
      }
      if (e.type === "run-done") {
        write("\n" + endText(state, opts.color, opts.width));
        return;
      }
      const s = state.stages[e.key];
      if (!s) return;
      switch (e.type) {
        case "stage-cached":
          line(`${c.green(SYMBOL.cached)} ${who(s)} cached`);
          break;
        case "stage-waiting":
          line(`${c.yellow(SYMBOL.waiting)} ${who(s)} waiting for lock held by ${e.holder}`);
          break;
        case "stage-damaged":
          line(`${c.yellow("!")} ${who(s)} cache entry damaged (${e.reason}); recomputing`);
          break;
        case "stage-started":
          lastProgress.delete(e.key);
          line(
            `${c.cyan("▶")} ${who(s)} started on worker ${e.worker}${e.resumedAt !== undefined ? `, resumed at step ${e.resumedAt}` : ""}`,
          );
          break;
        case "stage-progress": {
          const last = lastProgress.get(e.key);
          if (last !== undefined && e.t - last < every) break;
          lastProgress.set(e.key, e.t);
          line(progressLine(s));
          break;
        }
        case "stage-checkpoint":
          line(`${c.dim("⚑")} ${who(s)} checkpoint at step ${e.step}`);
          break;
        case "stage-done":
          line(`${c.green(SYMBOL.done)} ${who(s)} done in ${duration(e.seconds)}${metricText(s)}`);
          break;
        case "stage-failed":
          line(`${c.red(SYMBOL.failed)} ${who(s)} failed ${failureText(s)}`);
          break;
        case "stage-skipped":
          line(`${c.dim(SYMBOL.skipped)} ${who(s)} skipped: ${e.reason}`);
          break;
      }
    },
  };

  function progressLine(s: StageState): string {
    const trial = s.info.trials.length ? `[${trialsLabel(s.info.trials)}]` : "";
    const parts = [`${s.info.name} ${trial}`, countText(s), lossText(s)];
    if (s.rate !== undefined) parts.push(rate(s.rate, s.info.unit));
    if (s.eta !== undefined) parts.push(`eta ${duration(s.eta)}`);
    return parts.filter(Boolean).join(" ");
  }
}

function metricText(s: StageState): string {
  const m = Object.entries(s.metrics ?? {});
  if (!m.length) return "";
  return (
    ": " +
    m
      .slice(0, 6)
      .map(([k, v]) => `${k} ${v === null ? "—" : String(Number(v.toPrecision(4)))}`)
      .join(", ") +
    (m.length > 6 ? ", …" : "")
  );
}
