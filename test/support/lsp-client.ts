// A real LSP client for the tests: spawns `bin/scdx.js lsp` and talks JSON-RPC to it over stdio
// with vscode-languageserver-protocol (the library VS Code's client is built on). It keeps the
// published diagnostics per URI and every error the server logged (internal errors are logged,
// not thrown, so the tests count them).
import { type ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import {
  createProtocolConnection,
  type Diagnostic,
  type ProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
} from "vscode-languageserver-protocol/node";
import { repoRoot } from "./golden.ts";

export const uriOf = (file: string) => pathToFileURL(path.resolve(repoRoot, file)).href;

export interface LspSession {
  readonly conn: ProtocolConnection;
  readonly proc: ChildProcess;
  readonly errors: string[];
  /** How many times diagnostics were published for each URI. */
  readonly published: Map<string, number>;
  /** Resolves with the next diagnostics published for `uri` after this call. */
  nextDiagnostics(uri: string): Promise<Diagnostic[]>;
  open(file: string, text?: string): Promise<Diagnostic[]>;
  change(uri: string, version: number, text: string): Promise<Diagnostic[]>;
  request<R>(method: string, params: unknown): Promise<R>;
  close(): Promise<void>;
}

export async function startLsp(cwd = repoRoot): Promise<LspSession> {
  const proc = spawn(process.execPath, [path.join(repoRoot, "bin/scdx.js"), "lsp", "--stdio"], {
    cwd,
    stdio: ["pipe", "pipe", "pipe"],
    env: { ...process.env, NODE_OPTIONS: "" },
  });
  let stderr = "";
  proc.stderr!.on("data", (d) => (stderr += d));
  const conn = createProtocolConnection(new StreamMessageReader(proc.stdout!), new StreamMessageWriter(proc.stdin!));
  const errors: string[] = [];
  const waiters = new Map<string, ((d: Diagnostic[]) => void)[]>();
  const published = new Map<string, number>();
  conn.onNotification("window/logMessage", (p: { type: number; message: string }) => {
    if (p.type === 1) errors.push(p.message);
  });
  conn.onNotification("textDocument/publishDiagnostics", (p: { uri: string; diagnostics: Diagnostic[] }) => {
    published.set(p.uri, (published.get(p.uri) ?? 0) + 1);
    const ws = waiters.get(p.uri) ?? [];
    waiters.delete(p.uri);
    for (const w of ws) w(p.diagnostics);
  });
  conn.listen();
  await conn.sendRequest("initialize", { processId: process.pid, rootUri: pathToFileURL(cwd).href, capabilities: {} });
  await conn.sendNotification("initialized", {});
  const nextDiagnostics = (uri: string) =>
    new Promise<Diagnostic[]>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no diagnostics for ${uri} within 20 s; stderr: ${stderr}`)), 20_000);
      const list = waiters.get(uri) ?? [];
      list.push((d) => {
        clearTimeout(t);
        resolve(d);
      });
      waiters.set(uri, list);
    });
  return {
    conn,
    proc,
    errors,
    published,
    nextDiagnostics,
    async open(file, text) {
      const uri = uriOf(file);
      const got = nextDiagnostics(uri);
      await conn.sendNotification("textDocument/didOpen", {
        textDocument: {
          uri,
          languageId: "scd",
          version: 1,
          text: text ?? fs.readFileSync(path.resolve(repoRoot, file), "utf8"),
        },
      });
      return got;
    },
    async change(uri, version, text) {
      const got = nextDiagnostics(uri);
      await conn.sendNotification("textDocument/didChange", {
        textDocument: { uri, version },
        contentChanges: [{ text }],
      });
      return got;
    },
    request: (method, params) => conn.sendRequest(method, params),
    async close() {
      try {
        await conn.sendRequest("shutdown");
        await conn.sendNotification("exit");
      } catch {}
      await new Promise<void>((r) => {
        if (proc.exitCode !== null) return r();
        const t = setTimeout(() => {
          proc.kill();
          r();
        }, 3000);
        proc.on("exit", () => {
          clearTimeout(t);
          r();
        });
      });
      conn.dispose();
    },
  };
}

/** Line/character of the `n`th occurrence (0-based) of `needle` in `text`, plus `delta` characters. */
export function positionOf(text: string, needle: string, n = 0, delta = 0): { line: number; character: number } {
  let i = -1;
  for (let k = 0; k <= n; k++) {
    i = text.indexOf(needle, i + 1);
    if (i === -1) throw new Error(`test authoring error: \`${needle}\` occurs fewer than ${n + 1} times`);
  }
  const before = text.slice(0, i + delta);
  const line = before.split("\n").length - 1;
  return { line, character: before.length - before.lastIndexOf("\n") - 1 };
}
