// Entry point of the `scdx` binary: dispatch to a subcommand, turn usage errors into exit code 2
// and anything unexpected into a short report (a user's mistake never shows a stack trace;
// SCDX_DEBUG=1 shows it for ours).
import { commands } from "./commands.ts";
import { EXIT, UsageError, type Io } from "./command.ts";
import { didYouMean } from "../../core/diagnostics.ts";
import { readFileSync } from "node:fs";
import { applyV8Flags } from "./v8-flags.ts";

applyV8Flags();

function version(): string {
  return (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string })
    .version;
}

function useColor(stream: NodeJS.WriteStream): boolean {
  if (process.env["NO_COLOR"] !== undefined && process.env["NO_COLOR"] !== "") return false;
  const force = process.env["FORCE_COLOR"];
  if (force !== undefined) return force !== "0" && force !== "false";
  return !!stream.isTTY;
}

function mainHelp(): string {
  const w = Math.max(...commands.map((c) => c.name.length));
  return `scdx ${version()} — declarative, checked, cached Spatial Correlation Distillation studies

Usage: scdx COMMAND [options]   (scdx COMMAND --help for a command's options)

Commands:
${commands.map((c) => `  ${c.name.padEnd(w)}  ${c.summary}`).join("\n")}

Exit codes: 0 ok, 1 the program has errors, 2 usage error, 3 a stage failed, 130 interrupted.
Language reference: grammar.md. Environment: NO_COLOR / FORCE_COLOR control colour.
`;
}

export async function main(argv: readonly string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    io.out(mainHelp());
    return name ? EXIT.ok : EXIT.usage;
  }
  if (name === "--version" || name === "-v") {
    io.out(version() + "\n");
    return EXIT.ok;
  }
  const entry = commands.find((c) => c.name === name);
  if (!entry) {
    const guess = didYouMean(
      name,
      commands.map((c) => c.name),
    );
    io.err(
      `scdx: unknown command \`${name}\`${guess ? `; did you mean \`${guess}\`?` : ""}\nRun \`scdx --help\` for the list.\n`,
    );
    return EXIT.usage;
  }
  try {
    const cmd = await entry.load();
    return await cmd.run(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`scdx ${entry.name}: ${e.message}\nRun \`scdx ${entry.name} --help\` for usage.\n`);
      return EXIT.usage;
    }
    const err = e as Error;
    io.err(
      `scdx ${entry.name}: internal error: ${err.message}\nThis is a bug in scdx, not in your study. Run with SCDX_DEBUG=1 for the stack trace, and please report it.\n`,
    );
    if (process.env["SCDX_DEBUG"]) io.err(`${err.stack}\n`);
    return 70;
  }
}

if (import.meta.url === `file://${process.argv[1]}` || process.env["SCDX_BIN"] === "1") {
  // `scdx runs | head`: the reader went away; stop quietly, as Unix tools do, rather than throw EPIPE
  process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(0);
    throw e;
  });
  const io: Io = {
    out: (s) => void process.stdout.write(s),
    err: (s) => void process.stderr.write(s),
    /* biome-ignore lint/correctness/useHookAtTopLevel: useColor is a plain function (colour on or off for a stream),
       not a React hook */
    color: useColor(process.stdout),
    cwd: process.cwd(),
  };
  main(process.argv.slice(2), io).then((code) => {
    process.exitCode = code;
  });
}
