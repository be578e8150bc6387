// The server's diagnostics are `scdx check`'s: for every check fixture and every example, what
// `scdx check --format json` prints for the file (its own spans) equals what `scdx lsp` publishes
// for it — code, severity, message, notes, help, range, related locations and fixes. Two processes,
// compared, so the server is not tested against itself.
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Diagnostic } from "vscode-languageserver-protocol";
import { repoRoot, scdFiles } from "../../support/golden.ts";
import { startLsp, uriOf } from "../../support/lsp-client.ts";

interface JsonLoc {
  line: number;
  col: number;
  endLine: number;
  endCol: number;
}
interface JsonDiag extends Partial<JsonLoc> {
  code: string;
  severity: string;
  message: string;
  file?: string;
  notes?: string[];
  help?: string;
  labels?: ({ file: string; message: string } & JsonLoc)[];
  fixes?: { title: string; replacement: string }[];
}

const files = [
  ...scdFiles(path.join(repoRoot, "test/fixtures/check")),
  ...scdFiles(path.join(repoRoot, "examples"), true),
].map((f) => path.relative(repoRoot, path.resolve(repoRoot, f)));

const range = (l: JsonLoc) => ({
  start: { line: l.line - 1, character: l.col - 1 },
  end: { line: l.endLine - 1, character: l.endCol - 1 },
});

/** `scdx check --format json` diagnostics of `file`'s own spans, in the server's terms. */
function expected(d: JsonDiag) {
  const message = [d.message, ...(d.notes ?? []).map((n) => `note: ${n}`), ...(d.help ? [`help: ${d.help}`] : [])];
  return {
    code: d.code,
    severity: { error: 1, warning: 2, note: 3 }[d.severity],
    message: message.join("\n"),
    range: d.line === undefined ? range({ line: 1, col: 1, endLine: 1, endCol: 1 }) : range(d as JsonLoc),
    related: (d.labels ?? []).map((l) => ({ uri: uriOf(l.file), range: range(l), message: l.message })),
    fixes: (d.fixes ?? []).map((f) => `${f.title} → ${f.replacement}`),
  };
}

function actual(d: Diagnostic) {
  const data = d.data as { fixes?: { title: string; replacement: string }[] } | undefined;
  return {
    code: d.code,
    severity: d.severity,
    message: d.message,
    range: d.range,
    related: (d.relatedInformation ?? []).map((r) => ({
      uri: r.location.uri,
      range: r.location.range,
      message: r.message,
    })),
    fixes: (data?.fixes ?? []).map((f) => `${f.title} → ${f.replacement}`),
  };
}

test("the server publishes exactly `scdx check --format json`'s diagnostics for every fixture and example", async () => {
  let json: Record<string, JsonDiag[]>;
  try {
    json = JSON.parse(
      execFileSync(process.execPath, ["bin/scdx.js", "check", "--format", "json", ...files], {
        cwd: repoRoot,
        encoding: "utf8",
        env: { ...process.env, NODE_OPTIONS: "" },
      }),
    );
  } catch (e) {
    json = JSON.parse((e as { stdout: string }).stdout); // exit code 1: some files have errors, as they should
  }
  const s = await startLsp();
  let compared = 0;
  let withDiags = 0;
  try {
    for (const file of files) {
      const got = (await s.open(file)).map(actual);
      const want = (json[file] ?? []).filter((d) => d.file === file).map(expected);
      assert.equal(got, want, file);
      compared++;
      if (want.length) withDiags++;
    }
  } finally {
    await s.close();
  }
  assert.is(compared, files.length);
  assert.ok(withDiags >= 12, `only ${withDiags} files had diagnostics: the comparison would prove little`);
  assert.equal(s.errors, []);
});

test.run();
