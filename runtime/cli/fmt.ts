import * as fs from "node:fs";
import * as path from "node:path";
import { format } from "../../lang/format.ts";
import { renderDiagnostics } from "../../lang/render.ts";
import { fsHost } from "../../lang/compile.ts";
import { EXIT, parseCommandArgs, UsageError, type Command } from "./command.ts";

export const fmt: Command = {
  name: "fmt",
  help: `Usage: scdx fmt [--check] FILE…

Rewrites each file in the canonical layout: one declaration per line, one stage field per line,
single spaces, parentheses only where precedence needs them, long calls broken one argument per
line. Comments stay where they were. A file with syntax errors is left untouched and its errors
are printed. Formatting is idempotent.

Options:
  --check     change nothing; list the files that are not formatted and exit 1 if there are any
  -h, --help  show this help

Exit codes: 0 ok (or all formatted with --check), 1 syntax errors or unformatted files, 2 usage.`,
  run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, { check: { type: "boolean" } });
    if (values.help) {
      io.out(fmt.help + "\n");
      return EXIT.ok;
    }
    if (positionals.length === 0) throw new UsageError("give at least one .scd file");
    let code: number = EXIT.ok;
    for (const file of positionals) {
      const text = fsHost.readFile(path.resolve(file));
      if (text === undefined) throw new UsageError(`cannot read \`${file}\``);
      const r = format(text, file);
      if (r.output === undefined) {
        io.err(
          renderDiagnostics(r.diagnostics, (p) => (p === file ? text : undefined), {
            format: "pretty",
            color: io.color,
          }),
        );
        code = EXIT.errors;
        continue;
      }
      if (r.output === text) continue;
      if (values.check) {
        io.out(`${file}: not formatted\n`);
        code = EXIT.errors;
        continue;
      }
      // Write beside and rename: an interrupted fmt never leaves a half-written study.
      const tmp = `${file}.scdx-fmt-${process.pid}`;
      fs.writeFileSync(tmp, r.output);
      fs.renameSync(tmp, file);
      io.out(`${file}: formatted\n`);
    }
    return code;
  },
};
