// What a subcommand is. Each lives in its own file and is listed once in commands.ts, so issues
// that add commands (run, cache, why, embed, data, export) do not edit each other's files.
import { parseArgs, type ParseArgsConfig } from "node:util";
import { UsageError } from "../../core/usage-error.ts";

export interface Io {
  readonly out: (s: string) => void;
  readonly err: (s: string) => void;
  /** Colour for diagnostics and tables (NO_COLOR / FORCE_COLOR / TTY decide). */
  readonly color: boolean;
  readonly cwd: string;
}

export interface Command {
  readonly name: string;
  /** The full `scdx NAME --help` text. */
  readonly help: string;
  /** Returns the exit code: 0 ok, 1 program errors, 2 usage, 3 stage failed, 130 interrupted. */
  run(argv: readonly string[], io: Io): Promise<number> | number;
}

export const EXIT = { ok: 0, errors: 1, usage: 2, stageFailed: 3, interrupted: 130 } as const;

/** A usage error: printed as `scdx NAME: message` plus a pointer to --help, exit code 2. Defined in core so the
 * runtime can throw it without importing the CLI; re-exported here for the commands. */
export { UsageError };

type Options = NonNullable<ParseArgsConfig["options"]>;

/** node:util parseArgs with strict checking; its errors become UsageErrors with a plain message. */
export function parseCommandArgs<O extends Options>(argv: readonly string[], options: O) {
  try {
    return parseArgs({
      args: [...argv],
      options: { help: { type: "boolean", short: "h" }, ...options },
      allowPositionals: true,
      strict: true,
    });
  } catch (e) {
    throw new UsageError((e as Error).message.replace(/\. To specify a positional argument.*$/s, "."));
  }
}

export function formatOption(v: unknown): "pretty" | "short" | "json" {
  const f = (v as string | undefined) ?? "pretty";
  if (f !== "pretty" && f !== "short" && f !== "json")
    throw new UsageError(`--format must be pretty, short or json, got \`${f}\``);
  return f;
}
