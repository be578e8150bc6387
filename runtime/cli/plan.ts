import { makePlan } from "../plan.ts";
import { renderPlan } from "../plan-render.ts";
import { EXIT, parseCommandArgs, UsageError, type Command } from "./command.ts";
import { compileFile, printDiagnostics } from "./diagnose.ts";

export const plan: Command = {
  name: "plan",
  summary: "show the stages every trial needs and which are shared between trials",
  help: `Usage: scdx plan FILE [--set name=value]… [--json] [--trials N]

Checks FILE, expands its sweep and prints, per stage, how many distinct nodes the trials need and
how many trials share each, then a trial × stage table of node keys ("= trial 1" where a trial
reuses a node that an earlier trial already needs). Nothing is computed.

Options:
  --set name=value   override a param (or the seed) in every trial; repeatable
  --json             print the lowered IR (nodes and trials) as JSON
  --trials N         rows of the trial table to show (default 50)
  -h, --help         show this help

Exit codes: 0 ok, 1 the file has errors, 2 usage error.`,
  run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, { set: { type: "string", multiple: true }, json: { type: "boolean" }, trials: { type: "string" } });
    if (values.help) return io.out(plan.help + "\n"), EXIT.ok;
    if (positionals.length !== 1) throw new UsageError("give exactly one .scd file");
    const maxTrials = values.trials === undefined ? 50 : Number(values.trials);
    if (!Number.isInteger(maxTrials) || maxTrials < 0) throw new UsageError(`--trials must be a whole number, got \`${values.trials}\``);
    const r = compileFile(positionals[0]!, values.set ?? []);
    if (printDiagnostics(r, io, "pretty") || !r.study) return EXIT.errors;
    if (values.json) io.out(JSON.stringify(r.study, null, 2) + "\n");
    else io.out(renderPlan(makePlan(r.study), { color: io.color, maxTrials }));
    return EXIT.ok;
  },
};
