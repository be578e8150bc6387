// `scdx attach [RUN]`: re-opens the live view of a Slurm run whose driver is gone — detached with
// --detach, or killed — and follows it to its end, writing what the driver would have: the rest of
// events.jsonl, results.json/.csv and run-done. Ctrl-C detaches again; the jobs go on.
import { projectDirOf } from "../cache/store.ts";
import { fanOut, type RunEvent } from "../events/events.ts";
import { readDag } from "../exec/slurm-dag.ts";
import { finishDag } from "../exec/slurm-executor.ts";
import { runTally } from "../exec/executor.ts";
import { plainReporter } from "../reporters/plain.ts";
import { jsonReporter } from "../reporters/json.ts";
import { eventLog, writeResults } from "../runs/run-dir.ts";
import { readEvents, resolveRun } from "../runs/run-ref.ts";
import { EXIT, parseCommandArgs, UsageError, type Command } from "./command.ts";

export const attachCommand: Command = {
  name: "attach",
  help: `Usage: scdx attach [RUN] [--reporter ink|plain|json]

Re-opens the live view of RUN (default: the project's latest run), a run started with
--executor slurm whose driver has gone (it was started with --detach, or the driver was killed):
its stages go on in Slurm whatever happens to the driver. Follows the run to its end and writes
its results (results.json/.csv) as scdx run would have. Ctrl-C detaches again: the jobs go on.
To stop the jobs: scdx cancel RUN.

Options:
  --reporter R   ink (default on a terminal), plain, json
  -h, --help     show this help

Exit codes: 0 ok (or detached again), 2 RUN is not a Slurm run or has ended, 3 a stage failed.`,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, { reporter: { type: "string" } });
    if (values.help) {
      io.out(attachCommand.help + "\n");
      return EXIT.ok;
    }
    if (positionals.length > 1) throw new UsageError("give at most one RUN");
    const name = values.reporter ?? (process.stdout.isTTY && (process.stdout.rows ?? 0) > 0 ? "ink" : "plain");
    if (!["ink", "plain", "json"].includes(name))
      throw new UsageError(`--reporter must be ink, plain or json, got \`${name}\``);
    const runDir = resolveRun(positionals[0], projectDirOf(io.cwd), io.cwd);
    const dag = readDag(runDir);
    if (!dag) throw new UsageError(`${runDir} has no Slurm jobs to follow (it was not run with --executor slurm)`);
    const logged = readEvents(runDir);
    const start = logged.find((e) => e.type === "run-start") as Extract<RunEvent, { type: "run-start" }> | undefined;
    if (!start) throw new UsageError(`${runDir}: its events have no run-start`);
    if (logged.some((e) => e.type === "run-done"))
      throw new UsageError(`${start.runId} has ended: see scdx results ${start.runId}`);

    const ui =
      name === "json"
        ? jsonReporter(io.out)
        : name === "plain"
          ? plainReporter(io.out, { color: io.color, width: process.stdout.isTTY ? process.stdout.columns : undefined })
          : (await import("../reporters/ink.tsx")).inkReporter({ color: io.color });
    for (const e of logged) ui.event(e); // the view starts where the run stands
    const reporter = fanOut([eventLog(runDir), ui]);
    const emit = (e: Record<string, unknown>) => reporter.event({ ...e, t: Date.now() - dag.t0 } as RunEvent);
    const quiet = new Set(
      logged
        .filter((e) => e.type === "stage-done" || e.type === "stage-failed" || e.type === "stage-skipped")
        .map((e) => (e as { key: string }).key),
    );
    const detach = new AbortController();
    const onSigint = () => detach.abort();
    process.on("SIGINT", onSigint);
    process.on("SIGTERM", onSigint);
    const plan = { trials: start.trials, stages: new Map(start.stages.map((s) => [s.node, { info: s }])) };
    let result: Awaited<ReturnType<typeof finishDag>>;
    try {
      const endedTrials = new Set(
        logged.filter((e) => e.type === "trial-done").map((e) => (e as { trial: number }).trial),
      );
      result = await finishDag(dag, plan, emit as never, { detach: detach.signal, quiet, endedTrials });
    } finally {
      process.off("SIGINT", onSigint);
      process.off("SIGTERM", onSigint);
    }
    if (detach.signal.aborted) {
      await reporter.close?.();
      io.err(`detached: the jobs go on (scdx attach ${start.runId}; scdx cancel ${start.runId} stops them)\n`);
      return EXIT.ok;
    }
    writeResults(runDir, start, plan, result.outcomes, result.trialMetrics);
    const tally = runTally({ ...result, interrupted: false });
    const { failed, interrupted } = tally;
    emit({ type: "run-done", ...tally, seconds: (Date.now() - dag.t0) / 1000, runDir });
    await reporter.close?.();
    return interrupted ? EXIT.interrupted : failed ? EXIT.stageFailed : EXIT.ok;
  },
};
