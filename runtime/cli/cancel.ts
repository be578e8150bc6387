// `scdx cancel [RUN]`: stops a Slurm run's jobs, from any shell, whether or not a driver follows
// it: pending tasks are cancelled, running train stages are asked to checkpoint first (SIGINT),
// and whatever is left a minute later is cancelled outright. The same `scdx run` resumes it.
import { projectDirOf } from "../cache/store.ts";
import { readDag } from "../exec/slurm-dag.ts";
import { cancelDag } from "../exec/slurm-executor.ts";
import { resolveRun } from "../runs/run-ref.ts";
import { EXIT, parseCommandArgs, UsageError, type Command } from "./command.ts";

export const cancelCommand: Command = {
  name: "cancel",
  help: `Usage: scdx cancel [RUN]

Cancels the Slurm jobs of RUN (default: the project's latest run): pending ones at once; running
ones get SIGINT, so train stages write a checkpoint, and are cancelled outright if still there a
minute later. Running the same scdx run again resumes from the checkpoints. Jobs that RUN adopted
from another run (the same stage, queued there first) are left alone.

Options:
  -h, --help   show this help`,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, {});
    if (values.help) {
      io.out(cancelCommand.help + "\n");
      return EXIT.ok;
    }
    if (positionals.length > 1) throw new UsageError("give at most one RUN");
    const runDir = resolveRun(positionals[0], projectDirOf(io.cwd), io.cwd);
    const dag = readDag(runDir);
    if (!dag) throw new UsageError(`${runDir} has no Slurm jobs (it was not run with --executor slurm)`);
    const jobs = await cancelDag(dag);
    io.out(jobs.length ? `cancelled job arrays ${jobs.join(", ")}\n` : "no jobs of this run to cancel\n");
    return EXIT.ok;
  },
};
