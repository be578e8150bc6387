// vscode-textmate with the oniguruma WebAssembly regex engine: the two libraries VS Code itself
// colours with, loading the committed grammar file.
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import vsctm from "vscode-textmate";
import onig from "vscode-oniguruma";
import { repoRoot } from "./golden.ts";

export const grammarPath = path.join(repoRoot, "editors/vscode/syntaxes/scd.tmLanguage.json");

let loaded: Promise<vsctm.IGrammar> | undefined;

export function scdGrammar(): Promise<vsctm.IGrammar> {
  loaded ??= (async () => {
    const wasm = fs.readFileSync(createRequire(import.meta.url).resolve("vscode-oniguruma/release/onig.wasm"));
    await onig.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
    const registry = new vsctm.Registry({
      onigLib: Promise.resolve({
        createOnigScanner: (patterns: string[]) => new onig.OnigScanner(patterns),
        createOnigString: (s: string) => new onig.OnigString(s),
      }),
      loadGrammar: async (scope: string) =>
        scope === "source.scd" ? vsctm.parseRawGrammar(fs.readFileSync(grammarPath, "utf8"), grammarPath) : null,
    });
    const g = await registry.loadGrammar("source.scd");
    if (!g) throw new Error("the scd grammar did not load");
    return g;
  })();
  return loaded;
}

export interface ScopedToken {
  readonly line: number;
  readonly start: number; // offset into the whole text
  readonly end: number;
  readonly text: string;
  readonly scopes: readonly string[];
}

/** Every token of `text`, line by line as an editor tokenises it, with offsets into the text. */
export function tokenizeText(g: vsctm.IGrammar, text: string): ScopedToken[] {
  const out: ScopedToken[] = [];
  let stack = vsctm.INITIAL;
  let offset = 0;
  text.split("\n").forEach((line, i) => {
    const r = g.tokenizeLine(line, stack);
    for (const t of r.tokens) {
      const end = Math.min(t.endIndex, line.length);
      out.push({
        line: i,
        start: offset + t.startIndex,
        end: offset + end,
        text: line.slice(t.startIndex, end),
        scopes: t.scopes,
      });
    }
    stack = r.ruleStack;
    offset += line.length + 1;
  });
  return out;
}
