// `scdx lsp`: the Language Server Protocol over stdio, on vscode-languageserver. Each handler maps
// an LSP request onto the compiler's results (workspace.ts) and one feature file. A handler that
// fails logs an error to the client and answers "nothing" rather than bringing the server down: an
// editor must keep its language server through any text (the fuzz test counts those logs).
import {
  CodeActionKind,
  createConnection,
  type Connection,
  type Diagnostic as LspDiagnostic,
  ProposedFeatures,
  ResponseError,
  TextDocumentSyncKind,
  TextDocuments,
} from "vscode-languageserver/node";
import { TextDocument } from "vscode-languageserver-textdocument";
import { complete } from "./completion.ts";
import { type DiagnosticData, fileDiagnostics } from "./diagnostics.ts";
import { formatDocument, formatRange } from "./formatting.ts";
import { hoverText } from "./hover.ts";
import { definition, references, rename, renameRange } from "./navigation.ts";
import { legend, semanticTokens } from "./semantic-tokens.ts";
import { documentSymbols } from "./symbols.ts";
import { type Analysis, uriToPath, Workspace } from "./workspace.ts";

// stdio always: the library would otherwise look for `--stdio` in argv and fail without it.
export function startServer(
  connection: Connection = createConnection(ProposedFeatures.all, process.stdin, process.stdout),
): Connection {
  const documents = new TextDocuments(TextDocument);
  // Whatever escapes a handler (a bug of ours) is logged to the editor, not allowed to end the server.
  process.on("uncaughtException", (e) => connection.console.error(`scdx lsp: internal error: ${e?.stack ?? e}`));
  const ws = new Workspace();

  /** Runs a handler; an exception becomes an error log and an empty answer, never a crash. */
  const safe = <R>(what: string, empty: R, f: () => R): R => {
    try {
      return f();
    } catch (e) {
      if (e instanceof ResponseError) throw e;
      connection.console.error(`scdx lsp: internal error in ${what}: ${(e as Error)?.stack ?? e}`);
      return empty;
    }
  };

  /** The analysis of an open document, with its line map; undefined for unknown or non-file URIs. */
  const open = (uri: string): { a: Analysis; text: string } | undefined => {
    const doc = documents.get(uri);
    const p = uriToPath(uri);
    if (!doc || !p) return undefined;
    return { a: ws.analyze(p), text: doc.getText() };
  };
  const at = (o: { a: Analysis }, pos: { line: number; character: number }) =>
    o.a.lines(o.a.result.loaded.main.display)!.offset(pos);

  // Re-checks are coalesced: a burst of keystrokes publishes once, after the last one.
  const pending = new Set<string>();
  let scheduled = false;
  const publish = () => {
    scheduled = false;
    const paths = new Set(pending);
    pending.clear();
    safe("diagnostics", undefined, () => {
      for (const uri of documents.keys()) {
        const p = uriToPath(uri);
        if (p && paths.has(p)) void connection.sendDiagnostics({ uri, diagnostics: fileDiagnostics(ws.analyze(p)) });
      }
    });
  };
  const recheck = (affected: readonly string[]) => {
    if (!affected.length) return;
    for (const p of affected) pending.add(p);
    if (!scheduled) {
      scheduled = true;
      setImmediate(publish);
    }
  };

  documents.onDidChangeContent((e) => recheck(ws.set(e.document)));
  documents.onDidSave((e) => recheck(ws.set(e.document)));
  documents.onDidClose((e) => {
    recheck(ws.close(e.document.uri));
    void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
  });

  connection.onInitialize(() => ({
    capabilities: {
      textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
      hoverProvider: true,
      completionProvider: { triggerCharacters: [".", "(", ",", ":", "["] },
      definitionProvider: true,
      referencesProvider: true,
      renameProvider: { prepareProvider: true },
      documentSymbolProvider: true,
      documentFormattingProvider: true,
      documentRangeFormattingProvider: true,
      codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
      semanticTokensProvider: { legend, full: true },
    },
    serverInfo: { name: "scdx" },
  }));

  connection.onHover((p) =>
    safe("hover", null, () => {
      const o = open(p.textDocument.uri);
      const md = o && hoverText(o.a, at(o, p.position));
      return md ? { contents: { kind: "markdown", value: md } } : null;
    }),
  );
  connection.onCompletion((p) =>
    safe("completion", [], () => {
      const o = open(p.textDocument.uri);
      return o ? complete(o.a, o.text, at(o, p.position)) : [];
    }),
  );
  connection.onDefinition((p) =>
    safe("definition", null, () => {
      const o = open(p.textDocument.uri);
      return (o && definition(o.a, at(o, p.position))) ?? null;
    }),
  );
  connection.onReferences((p) =>
    safe("references", [], () => {
      const o = open(p.textDocument.uri);
      return o ? references(ws, o.a, at(o, p.position), p.context?.includeDeclaration ?? true) : [];
    }),
  );
  connection.onPrepareRename((p) =>
    safe("prepareRename", null, () => {
      const o = open(p.textDocument.uri);
      return (o && renameRange(o.a, at(o, p.position))) ?? null;
    }),
  );
  connection.onRenameRequest((p) =>
    safe("rename", null, () => {
      const o = open(p.textDocument.uri);
      if (!o) return null;
      const r = rename(ws, o.a, at(o, p.position), p.newName);
      if (typeof r === "string") throw new ResponseError(-32803, r); // RequestFailed: the client shows it
      return r;
    }),
  );
  connection.onDocumentSymbol((p) =>
    safe("documentSymbol", [], () => {
      const o = open(p.textDocument.uri);
      return o ? documentSymbols(o.a.result.loaded.main.program, o.a.lines(o.a.result.loaded.main.display)!) : [];
    }),
  );
  connection.onDocumentFormatting((p) =>
    safe("formatting", [], () => {
      const o = open(p.textDocument.uri);
      return o ? formatDocument(o.text, o.a.result.loaded.main.display) : [];
    }),
  );
  connection.onDocumentRangeFormatting((p) =>
    safe("rangeFormatting", [], () => {
      const o = open(p.textDocument.uri);
      if (!o) return [];
      const span = { start: at(o, p.range.start), end: at(o, p.range.end) };
      return formatRange(o.text, o.a.result.loaded.main.display, o.a.result.loaded.main.program, span);
    }),
  );
  connection.onCodeAction((p) =>
    safe("codeAction", [], () => {
      const o = open(p.textDocument.uri);
      if (!o) return [];
      const lines = o.a.lines(o.a.result.loaded.main.display)!;
      return (p.context?.diagnostics ?? []).flatMap((d: LspDiagnostic) =>
        ((d.data as DiagnosticData | undefined)?.fixes ?? []).map((f) => ({
          title: f.title,
          kind: CodeActionKind.QuickFix,
          diagnostics: [d],
          isPreferred: true,
          edit: { changes: { [p.textDocument.uri]: [{ range: lines.range(f.span), newText: f.replacement }] } },
        })),
      );
    }),
  );
  connection.languages.semanticTokens.on((p) =>
    safe("semanticTokens", { data: [] }, () => {
      const o = open(p.textDocument.uri);
      return { data: o ? semanticTokens(o.text, o.a.result.loaded) : [] };
    }),
  );

  documents.listen(connection);
  connection.listen();
  return connection;
}
