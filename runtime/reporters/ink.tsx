// The live terminal UI of `scdx run`. Finished rows go into <Static> in the order they finished,
// so they are written once and scroll away like a log; the live region below holds only the rows
// still to finish, capped to the terminal's height. Events are folded into state at once, but the
// tree is re-rendered at most every `intervalMs`, since a fast toy stage can emit hundreds of
// progress events a second.
import { Box, Static, Text, render } from "ink";
import type { Reporter, RunEvent } from "../events/events.ts";
import { initialState, isFinal, reduce, type Row, type RunState } from "./state.ts";
import { StageRow, layout } from "./stage-row.tsx";
import { GroupedView, type TrialSort } from "./grouped.tsx";
import { chalk, endText, headerText } from "./text.ts";

type Item =
  | { readonly id: string; readonly kind: "header" }
  | { readonly id: string; readonly kind: "row"; readonly row: Row }
  | { readonly id: string; readonly kind: "end" };

/**
 * Whether the run is drawn grouped by stage name (grouped.tsx) rather than a row per trial × stage:
 * when its rows would fill more than three screens. Decided from the plan, so it never flips mid-run.
 */
export function isGrouped(state: RunState, maxLive: number): boolean {
  return state.rows.length > 3 * maxLive;
}

/** Append-only, as <Static> requires: header, finished rows in finishing order, then the end. */
export function staticItems(state: RunState, grouped = false): Item[] {
  if (!state.run) return [];
  const items: Item[] = [{ id: "header", kind: "header" }];
  if (grouped) {
    // a large run logs no row per stage: the grouped view shows the counts, the plain log has every event
    if (state.done) items.push({ id: "end", kind: "end" });
    return items;
  }
  const byKey = new Map<string, Row[]>();
  for (const r of state.rows) byKey.set(r.key, [...(byKey.get(r.key) ?? []), r]);
  for (const k of state.finished)
    for (const row of byKey.get(k) ?? []) items.push({ id: `${row.trial}:${row.name}`, kind: "row", row });
  if (state.done) items.push({ id: "end", kind: "end" });
  return items;
}

/** Rows not finished yet, in trial × stage order; beyond `max`, active rows win over planned ones. */
export function liveRows(state: RunState, max: number): { rows: Row[]; hidden: number } {
  const live = state.rows.filter((r) => !isFinal(state.stages[r.key]!.status));
  if (live.length <= max) return { rows: live, hidden: 0 };
  const room = Math.max(1, max - 1);
  const active = new Set(
    live.filter((r) => r.sharedWith === null && state.stages[r.key]!.status !== "planned").slice(0, room),
  );
  for (const r of live) {
    if (active.size >= room) break;
    active.add(r);
  }
  return { rows: live.filter((r) => active.has(r)), hidden: live.length - active.size };
}

export interface RunViewProps {
  readonly state: RunState;
  /** Terminal columns (default 100). */
  readonly width?: number;
  /** Most live rows to show (default 20). */
  readonly maxLive?: number;
  readonly color?: boolean;
  readonly sort?: TrialSort;
}

export function RunView({ state, width = 100, maxLive = 20, color = false, sort }: RunViewProps) {
  const l = layout(state, width);
  const c = chalk(color);
  const grouped = isGrouped(state, maxLive);
  const live = state.done || grouped ? { rows: [], hidden: 0 } : liveRows(state, maxLive);
  return (
    <>
      <Static items={staticItems(state, grouped)}>
        {(item) =>
          item.kind === "header" ? (
            <Text key={item.id}>{headerText(state, c)}</Text>
          ) : item.kind === "row" ? (
            <StageRow key={item.id} state={state} row={item.row} layout={l} />
          ) : (
            <Box key={item.id} marginTop={1}>
              <Text>{endText(state, color, width, grouped ? 10 : undefined).trimEnd()}</Text>
            </Box>
          )
        }
      </Static>
      {grouped && !state.done ? (
        <GroupedView state={state} width={width} maxRows={maxLive} layout={l} sort={sort} />
      ) : null}
      {live.rows.length || live.hidden ? (
        <Box flexDirection="column">
          {live.rows.map((row) => (
            <StageRow key={`${row.trial}:${row.name}`} state={state} row={row} layout={l} />
          ))}
          {live.hidden ? <Text dimColor>{`… ${live.hidden} more planned`}</Text> : null}
        </Box>
      ) : null}
    </>
  );
}

export interface InkOptions {
  readonly stdout?: NodeJS.WriteStream;
  readonly color?: boolean;
  /** Coalescing interval between re-renders (default 100 ms: at most ~10 frames a second). */
  readonly intervalMs?: number;
  /** Ink's debug mode: every frame written in full (tests). */
  readonly debug?: boolean;
  /** Let Ink catch console.* so stray logs (tfjs's banner) print above the UI (default true). */
  readonly patchConsole?: boolean;
  /** How the grouped view ranks its best trials (--sort METRIC [--asc]). */
  readonly sort?: TrialSort;
}

export function inkReporter(opts: InkOptions = {}): Reporter {
  const stdout = opts.stdout ?? process.stdout;
  const interval = opts.intervalMs ?? 100;
  const color = opts.color ?? true;
  let state = initialState();
  let timer: NodeJS.Timeout | null = null;
  let closed = false;
  let dirty = false;
  const view = () => (
    <RunView
      state={state}
      width={stdout.columns || 80}
      maxLive={Math.max(5, (stdout.rows || 24) - 4)}
      color={color}
      sort={opts.sort}
    />
  );
  const app = render(view(), {
    stdout,
    debug: opts.debug ?? false,
    patchConsole: opts.patchConsole ?? true,
    // The executor owns SIGINT (it stops workers and emits run-done with interrupted: true).
    exitOnCtrlC: false,
    maxFps: Math.max(1, Math.round(1000 / interval)),
  });
  const flush = () => {
    if (timer) {
      clearTimeout(timer);
      timer = null;
    }
    if (dirty && !closed) app.rerender(view());
    dirty = false;
  };
  return {
    event(e: RunEvent) {
      state = reduce(state, e);
      dirty = true;
      if (e.type === "run-done") flush();
      else if (!timer && !closed) {
        timer = setTimeout(flush, interval);
        timer.unref();
      }
    },
    async close() {
      if (closed) return;
      flush();
      closed = true;
      app.unmount();
      await app.waitUntilExit();
    },
  };
}
