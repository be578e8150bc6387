import { stageCount } from "../plan/stage-sharing.ts";
import { EXIT, formatOption, parseCommandArgs, UsageError, type Command } from "./command.ts";
import { compileFile, diagnosticsJson, printDiagnostics } from "./diagnose.ts";

export const check: Command = {
  name: "check",
  help: `Usage: scdx check FILE… [--set name=value]… [--format pretty|short|json]

Parses, resolves imports, type- and shape-checks every trial of each file's sweep, and lowers it
to the IR. Nothing is trained, loaded or downloaded.

Options:
  --set name=value   override a param (or the seed) in every trial; repeatable
  --format F         pretty (default; source lines with carets), short (file:line:col: error CODE: …,
                     for editors and CI) or json (an array of diagnostics per file, on stdout;
                     \`fixes\` gives span and replacement where a repair is known: a did-you-mean
                     spelling, a missing required option)
  -h, --help         show this help

Exit codes: 0 no errors, 1 errors found, 2 usage error (bad flag, unreadable file).`,
  run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, {
      set: { type: "string", multiple: true },
      format: { type: "string" },
    });
    if (values.help) {
      io.out(check.help + "\n");
      return EXIT.ok;
    }
    if (positionals.length === 0) throw new UsageError("give at least one .scd file");
    const format = formatOption(values.format);
    let failed = false;
    const json: Record<string, unknown> = {};
    for (const file of positionals) {
      const r = compileFile(file, values.set ?? []);
      failed = printDiagnostics(r, io, format) || failed;
      if (format === "json") json[r.loaded.main.display] = diagnosticsJson(r);
      else if (r.study && format === "pretty") {
        const n = r.study.trials.length;
        const k = stageCount(r.study);
        io.out(
          `${r.loaded.main.display}: ok — ${n} trial${n === 1 ? "" : "s"}, ${k} distinct stage${k === 1 ? "" : "s"}\n`,
        );
      }
    }
    if (format === "json") io.out(JSON.stringify(json, null, 2) + "\n");
    return failed ? EXIT.errors : EXIT.ok;
  },
};
