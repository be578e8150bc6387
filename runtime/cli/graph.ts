import { toDot, toMermaid } from "../plan/graph-render.ts";
import { EXIT, parseCommandArgs, UsageError, type Command } from "./command.ts";
import { compileFile, printDiagnostics } from "./diagnose.ts";

export const graph: Command = {
  name: "graph",
  help: `Usage: scdx graph FILE [--format dot|mermaid] [--set name=value]…

Prints the lowered graph: datasets, models, train and bench stages, with one node per distinct
key (so stages shared by several trials appear once). Dashed edges are loss inputs (teachers,
correlation sources). Render with e.g. \`scdx graph study.scd | dot -Tsvg > study.svg\`.

Options:
  --format F         dot (default) or mermaid
  --set name=value   override a param (or the seed) in every trial; repeatable
  -h, --help         show this help

Exit codes: 0 ok, 1 the file has errors, 2 usage error.`,
  run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, {
      set: { type: "string", multiple: true },
      format: { type: "string" },
    });
    if (values.help) {
      io.out(graph.help + "\n");
      return EXIT.ok;
    }
    if (positionals.length !== 1) throw new UsageError("give exactly one .scd file");
    const format = values.format ?? "dot";
    if (format !== "dot" && format !== "mermaid")
      throw new UsageError(`--format must be dot or mermaid, got \`${format}\``);
    const r = compileFile(positionals[0]!, values.set ?? []);
    if (printDiagnostics(r, io, "pretty") || !r.study) return EXIT.errors;
    io.out(format === "dot" ? toDot(r.study) : toMermaid(r.study));
    return EXIT.ok;
  },
};
