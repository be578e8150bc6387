// The server's view of files: open documents (the editor's unsaved text) over the disk, and the
// compile result of each open file, cached until any open text changes. Every file is compiled
// through `lang/compile.ts` with the same options as `scdx check`, so diagnostics are the same.
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { TextDocument } from "vscode-languageserver-textdocument";
import { compile, fsHost, type CompileResult } from "../../lang/compile.ts";
import type { Host, SourceFile } from "../../lang/program.ts";
import { LineMap } from "./text.ts";

export function uriToPath(uri: string): string | undefined {
  if (typeof uri !== "string" || !uri.startsWith("file:")) return undefined;
  try {
    return path.resolve(fileURLToPath(uri));
  } catch {
    return undefined;
  }
}

export const pathToUri = (p: string): string => pathToFileURL(p).href;

export interface Analysis {
  readonly path: string;
  readonly result: CompileResult;
  /** Line maps of every file the study loaded, by display path (diagnostics name files so). */
  lines(display: string): LineMap | undefined;
  fileByDisplay(display: string): SourceFile | undefined;
}

export class Workspace {
  private readonly open = new Map<string, TextDocument>(); // by absolute path
  private readonly cache = new Map<string, Analysis>();
  // The last check of each open file, dropped or not: the next one re-evaluates only what changed.
  private readonly last = new Map<string, CompileResult>();
  readonly host: Host = {
    readFile: (p) => this.open.get(p)?.getText() ?? fsHost.readFile(p),
    exists: (p) => this.open.has(p) || !!fsHost.exists?.(p),
    display: (p) => fsHost.display(p),
  };

  /** Takes the editor's new text of a file; returns the open files whose check it changes (itself,
   * and those whose study loads it), whose cached results are dropped. The others keep theirs: a
   * keystroke in one study does not re-check an unrelated one. */
  set(doc: TextDocument): string[] {
    const p = uriToPath(doc.uri);
    if (!p) return [];
    this.open.set(p, doc);
    return this.invalidate(p);
  }

  /** Forgets the editor's text; returns the open files that now read the file from disk instead. */
  close(uri: string): string[] {
    const p = uriToPath(uri);
    if (p) this.last.delete(p);
    return p && this.open.delete(p) ? this.invalidate(p) : [];
  }

  private invalidate(p: string): string[] {
    const hit = [p];
    for (const [q, a] of this.cache) {
      // a study that failed to read an import may read it now that the editor has it open
      const loads = a.result.loaded.files.has(p) || a.result.diagnostics.some((d) => d.code === "SCD2011");
      if (loads) {
        this.cache.delete(q);
        if (q !== p) hit.push(q);
      }
    }
    this.cache.delete(p);
    return hit.filter((q) => this.open.has(q));
  }

  openPaths(): string[] {
    return [...this.open.keys()];
  }

  text(p: string): string | undefined {
    return this.host.readFile(p);
  }

  /** The check of `p` as `scdx check p` does it (missing weight files are not reported). */
  analyze(p: string): Analysis {
    const hit = this.cache.get(p);
    if (hit) return hit;
    const text = this.host.readFile(p) ?? "";
    const result = compile(p, this.host, { text, previous: this.last.get(p) });
    this.last.set(p, result);
    const byDisplay = new Map([...result.loaded.files.values()].map((f) => [f.display, f]));
    const maps = new Map<string, LineMap>();
    const a: Analysis = {
      path: p,
      result,
      fileByDisplay: (d) => byDisplay.get(d),
      lines(d) {
        let m = maps.get(d);
        const f = byDisplay.get(d);
        if (!m && f) maps.set(d, (m = new LineMap(f.text)));
        return m;
      },
    };
    this.cache.set(p, a);
    return a;
  }
}
