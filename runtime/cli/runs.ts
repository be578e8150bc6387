// `scdx runs`: the project's run directories, newest last — what `scdx report RUN` takes.
import { projectDirOf } from "../cache/store.ts";
import { listRuns } from "../runs/run-ref.ts";
import { EXIT, parseCommandArgs, UsageError, type Command } from "./command.ts";

export const runsCommand: Command = {
  name: "runs",
  help: `Usage: scdx runs [--last N] [--json]

Lists the run directories of the project (.scdx/runs/ under the nearest folder with package.json
or .git), oldest first: id, experiment, trials, distinct stages, status (done, failed,
interrupted, or running — no run-done event yet: still going, or its driver died) and wall time.
A run id, or any unique part at its start or end, is what \`scdx report RUN\` takes.

Options:
  --last N     only the N newest runs
  --json       print the list as JSON
  -h, --help   show this help`,
  run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, { last: { type: "string" }, json: { type: "boolean" } });
    if (values.help) {
      io.out(runsCommand.help + "\n");
      return EXIT.ok;
    }
    if (positionals.length) throw new UsageError(`unexpected argument \`${positionals[0]}\``);
    const last = values.last === undefined ? undefined : Number(values.last);
    if (last !== undefined && !(Number.isInteger(last) && last >= 1))
      throw new UsageError(`--last must be a positive whole number, got \`${values.last}\``);
    let runs = listRuns(projectDirOf(io.cwd));
    if (last) runs = runs.slice(-last);
    if (values.json) {
      io.out(JSON.stringify(runs, null, 2) + "\n");
      return EXIT.ok;
    }
    if (!runs.length) {
      io.out("no runs yet: `scdx run FILE` makes one\n");
      return EXIT.ok;
    }
    const rows = runs.map((r) => [
      r.id,
      r.experiment,
      String(r.trials),
      String(r.stages),
      r.status,
      r.seconds === null ? "—" : `${r.seconds.toFixed(1)} s`,
    ]);
    const head = ["run", "experiment", "trials", "stages", "status", "wall"];
    const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    for (const r of [head, ...rows])
      io.out(
        r
          .map((c, i) => c.padEnd(w[i]!))
          .join("  ")
          .trimEnd() + "\n",
      );
    return EXIT.ok;
  },
};
