// The checker's diagnostics as LSP diagnostics. Nothing is re-checked here: code, message, spans,
// secondary labels (related information), notes and help come from `lang/compile.ts` unchanged.
// Notes and help follow the message on their own lines (`note: …`, `help: …`) because editors show
// only the message; the fixes travel in `data` for the code actions.
import { type Diagnostic as LspDiagnostic, DiagnosticSeverity } from "vscode-languageserver";
import type { Diagnostic, Fix } from "../../core/diagnostics.ts";
import { type Analysis, pathToUri } from "./workspace.ts";

export interface DiagnosticData {
  readonly fixes?: readonly Fix[];
  readonly label?: string;
}

const severity = { error: DiagnosticSeverity.Error, warning: DiagnosticSeverity.Warning, note: 3 } as const;

export function messageOf(d: Diagnostic): string {
  const lines = [d.message, ...(d.notes ?? []).map((n) => `note: ${n}`)];
  if (d.help) lines.push(`help: ${d.help}`);
  return lines.join("\n");
}

/** The diagnostics of the analysed file itself (those of files it imports belong to their own check). */
export function fileDiagnostics(a: Analysis): LspDiagnostic[] {
  const main = a.result.loaded.main;
  const lines = a.lines(main.display)!;
  const out: LspDiagnostic[] = [];
  for (const d of a.result.diagnostics) {
    if (d.file !== main.display) continue;
    const related = (d.labels ?? []).flatMap((l) => {
      const f = a.fileByDisplay(l.file ?? main.display);
      const lm = a.lines(l.file ?? main.display);
      return f && lm ? [{ location: { uri: pathToUri(f.path), range: lm.range(l.span) }, message: l.message }] : [];
    });
    const data: DiagnosticData = { fixes: d.fixes, label: d.label };
    out.push({
      range: lines.range(d.span),
      severity: severity[d.severity],
      code: d.code,
      source: "scdx",
      message: messageOf(d),
      relatedInformation: related.length ? related : undefined,
      data,
    });
  }
  return out;
}
