// The TextMate grammar: generated from the lexer's token list (lang/textmate.ts), committed in
// editors/vscode/, tokenised here by vscode-textmate + vscode-oniguruma as VS Code does.
//   - the committed file is what the generator gives (UPDATE=1 regenerates it);
//   - the scopes of a golden example file (test/fixtures/textmate/*.tokens.txt; UPDATE=1);
//   - across all examples, every keyword, number, string and comment of the compiler's tokeniser
//     (lang/highlight.ts) gets the matching TextMate scope over its whole extent.
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { classifyTokens, type TokenClass } from "../../lang/highlight.ts";
import { textmateGrammar } from "../../lang/textmate.ts";
import { golden, repoRoot, scdFiles } from "../support/golden.ts";
import { grammarPath, scdGrammar, tokenizeText } from "../support/textmate.ts";

test("the committed grammar is the one generated from the lexer's tokens", () => {
  golden(grammarPath, `${JSON.stringify(textmateGrammar(), null, 2)}\n`);
});

test("the scopes of the golden example", async () => {
  const file = path.join(repoRoot, "examples/shapes/sweep.scd");
  const toks = tokenizeText(await scdGrammar(), fs.readFileSync(file, "utf8"));
  const lines = toks
    .filter((t) => t.text.trim() !== "")
    .map(
      (t) =>
        `${t.line + 1}:${t.start} ${JSON.stringify(t.text)} ${t.scopes.filter((s) => s !== "source.scd").join(" ")}`,
    );
  golden(path.join(repoRoot, "test/fixtures/textmate/sweep.tokens.txt"), `${lines.join("\n")}\n`);
  // spot checks, readable without the golden file
  const scopeOf = (text: string) => toks.find((t) => t.text === text)?.scopes.at(-1);
  assert.is(scopeOf("experiment"), "keyword.other.declaration.scd");
  assert.is(scopeOf("shapes_ablation"), "entity.name.declaration.scd");
  assert.is(scopeOf('"common.scd"'), "string.quoted.double.scd");
  assert.is(scopeOf("refiner"), "support.function.component.scd");
  assert.is(scopeOf("depth"), "variable.parameter.option.scd");
  assert.is(scopeOf("3e-4"), "constant.numeric.scd");
  assert.is(scopeOf("true"), "constant.language.boolean.scd");
});

const want: Partial<Record<TokenClass, string>> = {
  keyword: "keyword.", // `true`/`false` are keywords to the lexer and constants to TextMate: see below
  number: "constant.numeric",
  string: "string.quoted",
  comment: "comment.",
};

test("every keyword, number, string and comment of the lexer has the matching scope", async () => {
  const g = await scdGrammar();
  let checked = 0;
  for (const file of scdFiles(path.join(repoRoot, "examples"), true)) {
    const text = fs.readFileSync(path.resolve(repoRoot, file), "utf8");
    const tm = tokenizeText(g, text);
    for (const t of classifyTokens(text)) {
      const prefix = want[t.cls];
      if (!prefix) continue;
      const word = text.slice(t.start, t.end);
      const expected = word === "true" || word === "false" ? "constant.language" : prefix;
      // every TextMate token inside the lexer token's extent carries the scope
      const inside = tm.filter((x) => x.end > t.start && x.start < t.end && x.text.trim() !== "");
      const bad = inside.filter((x) => !x.scopes.some((s) => s.startsWith(expected)));
      assert.equal(
        bad.map((x) => `${x.text}: ${x.scopes.join(" ")}`),
        [],
        `${file}: ${JSON.stringify(word)} should be ${expected}*`,
      );
      checked++;
    }
  }
  assert.ok(checked > 500, `only ${checked} tokens checked`);
});

test.run();
