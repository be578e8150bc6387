// The language fuzz corpus through `scdx lsp`: every base file opened, then seeded mutations sent
// as edits (whole-text and incremental), with hover, completion, definition, symbols, formatting
// and semantic tokens asked at random positions, some outside the text, and requests for files the
// server never saw. The server must log no internal error and still answer correctly at the end.
// Reproduce: FUZZ_SEED=<seed> (the same seed gives the same edits and requests).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { pathToFileURL } from "node:url";
import { bases, mulberry32, mutate } from "../../support/fuzz-corpus.ts";
import { type LspSession, startLsp } from "../../support/lsp-client.ts";

const SEED = Number(process.env["FUZZ_SEED"] ?? 0x15);
const EDITS = Number(process.env["LSP_FUZZ_EDITS"] ?? 600);
const counts = { opened: 0, edits: 0, requests: 0, answered: 0, unknownUri: 0, outOfRange: 0 };

function position(rnd: () => number, text: string): { line: number; character: number } {
  const lines = text.split("\n");
  const r = rnd();
  if (r < 0.1) {
    counts.outOfRange++;
    return [
      { line: lines.length + 5, character: 0 },
      { line: 0, character: 10_000 },
      { line: -1, character: -3 },
      { line: 2 ** 31 - 1, character: 2 ** 31 - 1 },
    ][Math.floor(rnd() * 4)]!;
  }
  const line = Math.floor(rnd() * lines.length);
  return { line, character: Math.floor(rnd() * ((lines[line]?.length ?? 0) + 1)) };
}

const METHODS = [
  "textDocument/hover",
  "textDocument/completion",
  "textDocument/definition",
  "textDocument/documentSymbol",
  "textDocument/formatting",
  "textDocument/semanticTokens/full",
  "textDocument/prepareRename",
  "textDocument/codeAction",
];

async function ask(s: LspSession, rnd: () => number, uri: string, text: string): Promise<void> {
  const method = METHODS[Math.floor(rnd() * METHODS.length)]!;
  const pos = position(rnd, text);
  counts.requests++;
  await s.request(method, {
    textDocument: { uri },
    position: pos,
    range: { start: pos, end: pos },
    context: { diagnostics: [], includeDeclaration: true },
    options: { tabSize: 2, insertSpaces: true },
  });
  counts.answered++;
}

test(`${EDITS} mutated edits with requests at random positions: no internal error, still answering`, async () => {
  const s = await startLsp();
  try {
    const docs = bases.map((b) => ({ uri: pathToFileURL(b.abs).href, text: b.text, version: 1 }));
    for (const d of docs) {
      await s.conn.sendNotification("textDocument/didOpen", {
        textDocument: { uri: d.uri, languageId: "scd", version: 1, text: d.text },
      });
      counts.opened++;
    }
    for (let i = 0; i < EDITS; i++) {
      const rnd = mulberry32(SEED ^ Math.imul(i + 1, 0x9e3779b9));
      const d = docs[i % docs.length]!;
      const base = bases[i % bases.length]!.text;
      const { text } = mutate(rnd() < 0.7 ? d.text : base, rnd);
      d.version++;
      if (rnd() < 0.5) {
        await s.conn.sendNotification("textDocument/didChange", {
          textDocument: { uri: d.uri, version: d.version },
          contentChanges: [{ text }],
        });
      } else {
        // an incremental edit: replace a random range (possibly past the end) with the new text's middle
        const a = position(rnd, d.text);
        const b = position(rnd, d.text);
        const piece = text.slice(Math.floor(rnd() * text.length));
        await s.conn.sendNotification("textDocument/didChange", {
          textDocument: { uri: d.uri, version: d.version },
          contentChanges: [{ range: { start: a, end: b }, text: piece.slice(0, 40) }],
        });
      }
      d.text = text; // positions are drawn against a close approximation of the text; out of range is fine
      counts.edits++;
      await ask(s, rnd, d.uri, d.text);
      if (rnd() < 0.3) await ask(s, rnd, d.uri, d.text);
      if (rnd() < 0.05) {
        counts.unknownUri++;
        const uri = ["file:///no/such/file.scd", "untitled:Untitled-1", "not a uri", ""][Math.floor(rnd() * 4)]!;
        await ask(s, rnd, uri, "");
        await s.conn.sendNotification("textDocument/didChange", {
          textDocument: { uri, version: 2 },
          contentChanges: [{ text: "x" }],
        });
      }
    }
    // back to the known texts (imported files too): the answers are right again
    for (const [k, d] of docs.entries())
      await s.conn.sendNotification("textDocument/didChange", {
        textDocument: { uri: d.uri, version: ++d.version },
        contentChanges: [{ text: bases[k]!.text }],
      });
    const sweep = docs.find((d) => d.uri.endsWith("examples/shapes/sweep.scd"))!;
    await s.request("textDocument/hover", { textDocument: { uri: sweep.uri }, position: { line: 0, character: 0 } });
    assert.equal(
      await s.change(sweep.uri, ++sweep.version, bases[docs.indexOf(sweep)]!.text),
      [],
      "the restored example has no mistakes",
    );
    const h = await s.request<{ contents: { value: string } } | null>("textDocument/hover", {
      textDocument: { uri: sweep.uri },
      position: { line: 7, character: 7 },
    });
    assert.match(h?.contents.value ?? "", "param lambda = 0.5 in [0, 4]");
    console.log(`lsp fuzz: ${JSON.stringify(counts)}, internal errors: ${s.errors.length}`);
    assert.equal(s.errors.slice(0, 3), [], `${s.errors.length} internal errors`);
    assert.is(counts.answered, counts.requests);
    assert.is(s.proc.exitCode, null, "the server is still running");
  } finally {
    await s.close();
  }
});

test.run();
