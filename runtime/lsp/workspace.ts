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
  readonly host: Host = {
    readFile: (p) => this.open.get(p)?.getText() ?? fsHost.readFile(p),
    exists: (p) => this.open.has(p) || !!fsHost.exists?.(p),
    display: (p) => fsHost.display(p),
  };

  set(doc: TextDocument): void {
    const p = uriToPath(doc.uri);
    if (!p) return;
    this.open.set(p, doc);
    // An edit can change the result of any file importing this one: drop every cached result.
    this.cache.clear();
  }

  close(uri: string): void {
    const p = uriToPath(uri);
    if (p && this.open.delete(p)) this.cache.clear();
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
    const result = compile(p, this.host, { text });
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

  /** Open files whose study loads `p` (itself included): the ones to re-check after it changes. */
  affectedBy(p: string): string[] {
    return this.openPaths().filter((o) => o === p || this.analyze(o).result.loaded.files.has(p));
  }
}
