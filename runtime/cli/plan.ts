import { renderRunPlan } from "../plan/run-plan-render.ts";
import { chooseBackend, openSession } from "../plan/session.ts";
import { EXIT, parseCommandArgs, UsageError, type Command } from "./command.ts";
import { compileFile, printDiagnostics } from "./diagnose.ts";

export const plan: Command = {
  name: "plan",
  help: `Usage: scdx plan FILE [--set name=value]… [--backend B] [--cache DIR] [--json] [--trials N]

Checks FILE, expands its sweep and prints, per stage, how many distinct nodes the trials need, how
many trials share each, how many the cache already holds and how many a run would compute, and
the estimated memory of one; then a trial × stage table of node keys, ✓ where cached, ▶ where to
run ("= trial 1" where a trial reuses a node that an earlier trial already needs). This is what
\`scdx run --dry-run\` prints; nothing is computed. Stages too big for the backend are listed last.

Options:
  --set name=value   override a param (or the seed) in every trial; repeatable
  --backend B        tensorflow, native, wasm or cpu: results are cached per backend (default as for run:
                     SCDX_BACKEND, else tensorflow if tfjs-node-gpu is installed, else native if OpenBLAS loads, else wasm)
  --threads N        BLAS threads per worker on native, as for \`scdx run\` (keyed: default SCDX_THREADS, else 1)
  --cache DIR        the cache to look in (default: SCDX_CACHE, else .scdx/cache in the project)
  --json             print the lowered IR (nodes and trials) as JSON instead
  --trials N         rows of the trial table to show (default 50)
  -h, --help         show this help

Exit codes: 0 ok, 1 the file has errors, 2 usage error.`,
  run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, {
      set: { type: "string", multiple: true },
      json: { type: "boolean" },
      trials: { type: "string" },
      backend: { type: "string" },
      threads: { type: "string" },
      cache: { type: "string" },
    });
    if (values.help) {
      io.out(plan.help + "\n");
      return EXIT.ok;
    }
    if (positionals.length !== 1) throw new UsageError("give exactly one .scd file");
    const maxTrials = values.trials === undefined ? 50 : Number(values.trials);
    if (!Number.isInteger(maxTrials) || maxTrials < 0)
      throw new UsageError(`--trials must be a whole number, got \`${values.trials}\``);
    chooseBackend(values.backend); // a bad --backend is a usage error even with --json
    const file = positionals[0]!;
    const r = compileFile(file, values.set ?? []);
    if (printDiagnostics(r, io, "pretty") || !r.study) return EXIT.errors;
    if (values.json) {
      io.out(JSON.stringify(r.study, null, 2) + "\n");
      return EXIT.ok;
    }
    const s = openSession(r.study, file, {
      backend: values.backend,
      threads: values.threads,
      cache: values.cache,
      cwd: io.cwd,
    });
    io.out(renderRunPlan(s, { color: io.color, maxTrials }));
    // Unlike run, plan still shows a plan that cannot run, then says why it would be refused.
    if (s.plan.refused.length) {
      const n = s.plan.refused.length;
      io.out(
        `\n${n} stage${n === 1 ? "" : "s"} cannot fit the ${s.backend} backend; \`scdx run\` would refuse:\n${s.plan.refused.map((x) => `  ${x}`).join("\n")}\n`,
      );
    }
    return EXIT.ok;
  },
};
