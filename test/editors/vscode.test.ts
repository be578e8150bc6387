// The VS Code extension (editors/vscode/): its manifest points at files that exist, its language
// configuration uses the lexer's comment and bracket tokens, and — where its packages are installed
// (`npm ci` in editors/vscode; .ci/run does it) — `vsce` packs a .vsix.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import * as T from "../../lang/tokens.ts";
import { repoRoot } from "../support/golden.ts";

const dir = path.join(repoRoot, "editors/vscode");
const read = (f: string) => JSON.parse(fs.readFileSync(path.join(dir, f), "utf8"));

test("the manifest contributes the scd language and grammar from files that exist", () => {
  const pkg = read("package.json");
  const lang = pkg.contributes.languages[0];
  assert.equal([lang.id, lang.extensions], ["scd", [".scd"]]);
  assert.ok(fs.existsSync(path.join(dir, lang.configuration)));
  const g = pkg.contributes.grammars[0];
  assert.equal([g.language, g.scopeName], ["scd", "source.scd"]);
  assert.is(read(g.path).scopeName, "source.scd");
  assert.ok(fs.existsSync(path.join(dir, pkg.main)));
  assert.match(fs.readFileSync(path.join(dir, pkg.main), "utf8"), 'args: ["lsp"]');
});

test("the language configuration uses the lexer's comment and bracket tokens", () => {
  const cfg = read("language-configuration.json");
  assert.ok(T.LineComment.PATTERN instanceof RegExp && T.LineComment.PATTERN.test(`${cfg.comments.lineComment} x`));
  const [open, close] = cfg.comments.blockComment as [string, string];
  assert.ok((T.BlockComment.PATTERN as RegExp).test(`${open} x ${close}`));
  const brackets = [T.LCurly, T.RCurly, T.LBracket, T.RBracket, T.LParen, T.RParen].map((t) =>
    (t.PATTERN as RegExp).source.replace("\\", ""),
  );
  assert.equal(cfg.brackets.flat(), brackets);
});

const installed = fs.existsSync(path.join(dir, "node_modules/@vscode/vsce"));
if (!installed)
  test("vsce: SKIPPED — run `npm ci` in editors/vscode to include the .vsix build", () => {
    if (process.env["CI"]) assert.unreachable(".ci/run installs editors/vscode's packages; the .vsix build must run");
  });
else
  test("build-vsix.sh packs a .vsix with the manifest, grammar and client", () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "scdx-vsix-"));
    try {
      execFileSync(path.join(dir, "build-vsix.sh"), {
        cwd: dir,
        stdio: "pipe",
        env: { ...process.env, NODE_OPTIONS: "" },
      });
      const vsix = path.join(dir, "scdx.vsix");
      const listing = execFileSync("unzip", ["-l", vsix], { encoding: "utf8" });
      for (const f of [
        "extension/package.json",
        "extension/syntaxes/scd.tmLanguage.json",
        "extension/extension.js",
        "extension/node_modules/vscode-languageclient/",
      ])
        assert.match(listing, f);
      fs.renameSync(vsix, path.join(out, "scdx.vsix"));
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });

test.run();
