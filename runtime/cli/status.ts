// `scdx status [RUN]`: where a run stands, from its run directory — per stage: planned, queued or
// running (with step/total), done, cached, failed or skipped — and, for Slurm runs, each stage's
// job id and what the queue says of it now. Works on a finished run, a running one, and one whose
// driver died (then its stages keep the state they last reported).
import { projectDirOf } from "../cache/store.ts";
import { initialState, reduce } from "../reporters/state.ts";
import { readEvents, resolveRun, summarizeRun } from "../runs/run-ref.ts";
import { detachedEvents } from "../exec/slurm-snapshot.ts";
import { queueStates } from "../exec/slurm-submit.ts";
import { readDag } from "../exec/slurm-dag.ts";
import { EXIT, parseCommandArgs, UsageError, type Command } from "./command.ts";

export const statusCommand: Command = {
  name: "status",
  help: `Usage: scdx status [RUN] [--json]

Prints each distinct stage of RUN (default: the project's latest run) with its state — planned,
waiting, running (step/total), done, cached, failed (with the message), skipped — read from the
run's events, and for runs with --executor slurm the stage's Slurm job id and its state in the
queue now (squeue). RUN is a run directory, an id or a unique part of one (\`scdx runs\`).

Options:
  --json       print the stages as JSON
  -h, --help   show this help`,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, { json: { type: "boolean" } });
    if (values.help) {
      io.out(statusCommand.help + "\n");
      return EXIT.ok;
    }
    if (positionals.length > 1) throw new UsageError("give at most one RUN");
    const runDir = resolveRun(positionals[0], projectDirOf(io.cwd), io.cwd);
    const summary = summarizeRun(runDir);
    const logged = readEvents(runDir);
    const state = [...logged, ...(await detachedEvents(runDir, logged))].reduce(reduce, initialState());
    const jobs = new Map((readDag(runDir)?.stages ?? []).map((x) => [x.key, x.job]));
    const jobOf = (key: string) => jobs.get(key);
    const ids = state.stageOrder.map(jobOf).filter((j): j is string => !!j);
    const queue = await queueStates(ids);
    const rows = state.stageOrder.map((k) => {
      const s = state.stages[k]!;
      const job = jobOf(k);
      return {
        name: s.info.name,
        trials: s.info.trials,
        key: k.slice(0, 12),
        state: s.status,
        progress: s.status === "running" ? `${s.done}/${s.total} ${s.info.unit}` : "",
        message: s.error?.message ?? s.skipReason ?? "",
        ...(job && { job, queue: queue.get(job) ?? "gone from the queue" }),
      };
    });
    if (values.json) {
      io.out(JSON.stringify({ run: summary, stages: rows }, null, 2) + "\n");
      return EXIT.ok;
    }
    io.out(
      `${summary.id}: ${summary.status}${summary.seconds !== null ? ` in ${summary.seconds.toFixed(1)} s` : ""}\n`,
    );
    const table = rows.map((r) => [
      r.name,
      r.trials.length > 3 ? `${r.trials.length} trials` : r.trials.join(","),
      r.key,
      r.state,
      r.progress,
      r.job ? `job ${r.job}: ${r.queue}` : "",
      r.message.split("\n")[0]!.slice(0, 80),
    ]);
    const w = table[0]?.map((_, i) => Math.max(...table.map((r) => r[i]!.length))) ?? [];
    for (const r of table)
      io.out(
        `${r
          .map((c, i) => c.padEnd(w[i]!))
          .join("  ")
          .trimEnd()}\n`,
      );
    return EXIT.ok;
  },
};
