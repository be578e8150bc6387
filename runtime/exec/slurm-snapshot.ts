// Where a detached Slurm run stands, without following it: one pass over its stages' events files
// gives the events nobody has logged yet (no driver is attached), including trial-done for every
// trial whose stages have all ended. `scdx status`, `scdx results` and `scdx report` add these to
// the run's own events, so a detached run shows its finished trials while the rest still runs.
import type { RunEvent } from "../events/events.ts";
import type { Unstamped } from "./executor.ts";
import { readDag } from "./slurm-dag.ts";
import { followDag } from "./slurm-follow.ts";
import { trialDone } from "./executor.ts";

export async function detachedEvents(runDir: string, logged: readonly RunEvent[]): Promise<RunEvent[]> {
  const dag = readDag(runDir);
  const start = logged.find((e) => e.type === "run-start") as Extract<RunEvent, { type: "run-start" }> | undefined;
  if (!dag || !start || logged.some((e) => e.type === "run-done")) return [];
  const ended = new Set(
    logged.filter((e) => e.type === "stage-done" || e.type === "stage-failed").map((e) => (e as { key: string }).key),
  );
  const out: RunEvent[] = [];
  const t = Date.now() - dag.t0;
  const emit = (e: Unstamped) => out.push({ ...e, t } as RunEvent);
  const followed = (await followDag(dag.stages, { emit, cancelling: () => false, once: true, quiet: ended }))!;
  const byNode = new Map(start.stages.map((s) => [s.key, s.node]));
  const outcome = (key: string) => followed.get(key) ?? dag.settled[byNode.get(key) ?? ""];
  const doneTrials = new Set(logged.filter((e) => e.type === "trial-done").map((e) => (e as { trial: number }).trial));
  for (const tr of start.trials) {
    if (doneTrials.has(tr.index + 1)) continue;
    const rs = Object.entries(tr.stages).map(([name, key]) => [name, outcome(key)] as const);
    if (rs.every(([, r]) => r)) trialDone(tr.index + 1, rs as never, emit);
  }
  return out;
}
