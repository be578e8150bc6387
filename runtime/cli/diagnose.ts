// Shared by check, plan, graph (and later run): compile a file and print its diagnostics.
import { compile, type CompileResult } from "../../lang/compile.ts";
import { hasErrors } from "../../core/diagnostics.ts";
import { renderDiagnostics, renderSummary } from "../../lang/render.ts";
import { fsHost } from "../../lang/compile.ts";
import { sourceLookup } from "../../lang/program.ts";
import { UsageError, type Io } from "./command.ts";

export function compileFile(file: string, sets: readonly string[], opts: { checkFiles?: boolean } = {}): CompileResult {
  if (fsHost.readFile(file) === undefined) throw new UsageError(`cannot read \`${file}\``);
  const r = compile(file, fsHost, { sets, checkFiles: opts.checkFiles });
  if (r.usageErrors.length) throw new UsageError(r.usageErrors.join("\n"));
  return r;
}

export function printDiagnostics(r: CompileResult, io: Io, format: "pretty" | "short" | "json"): boolean {
  if (format === "json") return hasErrors(r.diagnostics);
  if (r.diagnostics.length) {
    io.err(renderDiagnostics(r.diagnostics, sourceLookup(r.loaded), { format, color: io.color }));
    if (format === "pretty") io.err(`${r.loaded.main.display}: ${renderSummary(r.diagnostics, { color: io.color })}\n`);
  }
  return hasErrors(r.diagnostics);
}

export function diagnosticsJson(r: CompileResult): unknown {
  return JSON.parse(renderDiagnostics(r.diagnostics, sourceLookup(r.loaded), { format: "json" }));
}
