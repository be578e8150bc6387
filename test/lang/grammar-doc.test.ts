// grammar.md's EBNF names the parser's rules one for one: neither may drift from the other.
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { ruleNames } from "../../lang/parser.ts";
import { repoRoot } from "../support/golden.ts";

test("every parser rule has an EBNF production in grammar.md, and nothing else does", () => {
  const md = fs.readFileSync(path.join(repoRoot, "grammar.md"), "utf8");
  const block = md.match(/```ebnf\n([\s\S]*?)```/);
  assert.ok(block, "grammar.md has an ```ebnf block");
  const documented = [...block[1]!.matchAll(/^([a-zA-Z]+)\s*=/gm)].map((m) => m[1]!);
  assert.equal(documented, ruleNames(), "same rules, same order");
});

test("every diagnostic code in the sources is listed in grammar.md", () => {
  const md = fs.readFileSync(path.join(repoRoot, "grammar.md"), "utf8");
  const codes = new Set<string>();
  for (const dir of ["lang", "stdlib"])
    for (const f of fs.readdirSync(path.join(repoRoot, dir), { recursive: true }) as string[])
      if (f.endsWith(".ts"))
        for (const m of fs.readFileSync(path.join(repoRoot, dir, f), "utf8").matchAll(/SCD\d{4}/g)) codes.add(m[0]);
  const missing = [...codes].filter((c) => !md.includes(c)).sort();
  assert.equal(missing, [], "codes missing from grammar.md's table");
});

test.run();
