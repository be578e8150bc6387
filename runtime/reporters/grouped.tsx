// The live UI of a large run (a sweep of hundreds or thousands of trials): instead of a row per
// trial × stage, a row per stage name with its counts and an aggregate bar, a row per stage running
// now, and the best trials so far by the study's first metric. Never more rows than it is given:
// the terminal's height. The plain and json reporters still log every event.
import { Box, Text } from "ink";
import { fit, progressBar, StageRow, type Layout } from "./stage-row.tsx";
import { isFinal, type Row, type RunState, type StageStatus } from "./state.ts";

export interface StageGroup {
  readonly name: string;
  /** Distinct stages of this name, by status; `shared` counts trial rows served by another trial's stage. */
  readonly counts: Readonly<Record<StageStatus, number>> & { readonly shared: number };
  readonly distinct: number;
  /** Finished distinct stages (cached, done, failed, skipped), for the bar. */
  readonly finished: number;
}

export function stageGroups(state: RunState): StageGroup[] {
  const groups = new Map<string, { counts: Record<StageStatus, number> & { shared: number }; keys: Set<string> }>();
  for (const r of state.rows) {
    let g = groups.get(r.name);
    if (!g) {
      g = {
        counts: { planned: 0, cached: 0, waiting: 0, running: 0, done: 0, failed: 0, skipped: 0, shared: 0 },
        keys: new Set(),
      };
      groups.set(r.name, g);
    }
    if (r.sharedWith !== null || g.keys.has(r.key)) {
      g.counts.shared++;
      continue;
    }
    g.keys.add(r.key);
    g.counts[state.stages[r.key]!.status]++;
  }
  return [...groups].map(([name, g]) => ({
    name,
    counts: g.counts,
    distinct: g.keys.size,
    finished: [...g.keys].filter((k) => isFinal(state.stages[k]!.status)).length,
  }));
}

/** Which metric ranks trials (`scdx run --sort METRIC [--asc]`); default: the first reported, highest first. */
export interface TrialSort {
  readonly metric: string;
  readonly asc?: boolean;
}

/** The best trials so far by `sort` (default: the first metric any finished trial reported, highest first). */
export function bestTrials(
  state: RunState,
  n: number,
  sort?: TrialSort,
): { metric: string; asc: boolean; rows: { trial: number; value: number }[] } | null {
  const finished = state.trials.filter((t) => t.done && t.ok);
  const metric = sort?.metric ?? finished.flatMap((t) => Object.keys(t.metrics))[0];
  if (!metric) return null;
  const dir = sort?.asc ? 1 : -1;
  const rows = finished
    .map((t) => ({ trial: t.number, value: t.metrics[metric] }))
    .filter((r): r is { trial: number; value: number } => typeof r.value === "number")
    .sort((a, b) => (a.value - b.value) * dir || a.trial - b.trial)
    .slice(0, n);
  return { metric, asc: !!sort?.asc, rows };
}

function groupLine(g: StageGroup, width: number, bar: number): string {
  const c = g.counts;
  const parts = [
    c.done && `${c.done} done`,
    c.cached && `${c.cached} cached`,
    c.running && `${c.running} running`,
    c.waiting && `${c.waiting} waiting`,
    c.failed && `${c.failed} failed`,
    c.skipped && `${c.skipped} skipped`,
    c.planned && `${c.planned} to run`,
    c.shared && `${c.shared} shared`,
  ].filter(Boolean);
  const head = `${fit(g.name, 16)} ${bar ? `${progressBar(g.finished, g.distinct, bar)} ` : ""}${String(
    g.finished,
  ).padStart(String(g.distinct).length)}/${g.distinct}`;
  return fit(`${head}  ${parts.join(", ")}`, width).trimEnd();
}

export interface GroupedViewProps {
  readonly state: RunState;
  readonly width: number;
  /** Rows available (the terminal's height, less the header). */
  readonly maxRows: number;
  readonly layout: Layout;
  readonly sort?: TrialSort;
}

/** The rows the grouped view draws: groups first, then running stages, then the best trials. */
export function GroupedView({ state, width, maxRows, layout, sort }: GroupedViewProps) {
  const groups = stageGroups(state);
  const bar = width >= 100 ? 20 : width >= 70 ? 10 : 0;
  const room = Math.max(0, maxRows - groups.length);
  const running: Row[] = state.rows.filter(
    (r) => r.sharedWith === null && ["running", "waiting"].includes(state.stages[r.key]!.status),
  );
  const best = bestTrials(state, 3, sort);
  const bestRows = best?.rows.length ? Math.min(best.rows.length + 1, Math.max(0, room - 2)) : 0;
  const runRoom = Math.max(0, room - bestRows - (running.length ? 1 : 0));
  const shown = running.slice(0, Math.max(0, running.length > runRoom ? runRoom - 1 : runRoom));
  const hidden = running.length - shown.length;
  return (
    <Box flexDirection="column">
      {groups.slice(0, maxRows).map((g) => (
        <Text key={`g:${g.name}`}>{groupLine(g, width, bar)}</Text>
      ))}
      {running.length && runRoom > 0 ? <Text dimColor>running now</Text> : null}
      {shown.map((r) => (
        <StageRow key={`${r.trial}:${r.name}`} state={state} row={r} layout={layout} />
      ))}
      {hidden > 0 && runRoom > 0 ? <Text dimColor>{`… ${hidden} more running`}</Text> : null}
      {bestRows > 0 && best ? (
        <>
          <Text dimColor>{fit(`best so far by ${best.metric}${best.asc ? " (lowest)" : ""}`, width).trimEnd()}</Text>
          {best.rows.slice(0, bestRows - 1).map((r) => (
            <Text key={`b:${r.trial}`}>{`  trial ${r.trial}  ${(r.value * 100).toFixed(1)}`}</Text>
          ))}
        </>
      ) : null}
    </Box>
  );
}
