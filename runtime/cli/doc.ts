import { didYouMean } from "../../core/diagnostics.ts";
import { builtins, components, registry } from "../../stdlib/registry.ts";
import { table } from "../plan/stage-sharing-render.ts";
import { describeComponent, describeTrain } from "../lsp/describe.ts";
import { EXIT, parseCommandArgs, UsageError, type Command } from "./command.ts";

export const doc: Command = {
  name: "doc",
  help: `Usage: scdx doc [NAME]

Without NAME, lists every component and built-in. With NAME (e.g. scd, clip, train), prints its
signature, inputs, options (type, default, meaning) and notes — read from the same registry the
checker uses.`,
  run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, {});
    if (values.help) {
      io.out(doc.help + "\n");
      return EXIT.ok;
    }
    if (positionals.length > 1) throw new UsageError("give at most one name");
    const name = positionals[0];
    if (!name) {
      const rows = [
        ["name", "kind", "what it is"],
        ...components.map((m) => [m.name, m.kind, m.doc]),
        ...Object.entries(builtins).map(([k, b]) => [k, "built-in", b.doc]),
      ];
      io.out(table(rows));
      return EXIT.ok;
    }
    if (name === "train") {
      io.out(describeTrain(io.color));
      return EXIT.ok;
    }
    const m = registry.get(name);
    if (m) {
      io.out(describeComponent(m, io.color));
      return EXIT.ok;
    }
    const b = builtins[name];
    if (b) {
      io.out(`${name} — built-in\n  ${b.signature}\n\n${b.doc}\n`);
      return EXIT.ok;
    }
    const guess = didYouMean(name, [...registry.keys(), ...Object.keys(builtins)]);
    throw new UsageError(
      `no component named \`${name}\`${guess ? `; did you mean \`${guess}\`?` : ""} (\`scdx doc\` lists them)`,
    );
  },
};
