// A fully cached rerun must stay quick (the runtime issue asks for under 2 s), and on our machines
// every module loaded through tsx costs: tfjs alone is ~0.7 s, Ink ~1 s, execa ~0.3 s. So the
// driver's static import graph holds none of them; they are imported where they are needed
// (workers, `embed`, export's writer, the Ink reporter, the first worker start). And a rerun on a
// terminal with nothing to compute reports through the plain log, without Ink.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { commands } from "../../runtime/cli/commands.ts";
import { defaultReporter } from "../../runtime/cli/run.ts";
import { compileFile } from "../../runtime/cli/diagnose.ts";
import { openSession } from "../../runtime/plan/session.ts";
import { repoRoot } from "../support/golden.ts";

/** Value imports and re-exports of a module, in source order (`import type` does not load). */
function staticImports(source: string): string[] {
  const out: string[] = [];
  const re = /^\s*(?:import|export)\s+(type\s+)?(?:[^;"]*?\s+from\s+)?"([^"]+)";?/gm;
  for (let m; (m = re.exec(source)); ) if (!m[1]) out.push(m[2]!);
  return out;
}

/** Every package the CLI entry reaches through static imports, with one path that reaches it. */
function reachablePackages(entry: string): Map<string, string[]> {
  const seen = new Set<string>(),
    pkgs = new Map<string, string[]>();
  const walk = (file: string, trail: string[]) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const spec of staticImports(readFileSync(file, "utf8"))) {
      if (spec.startsWith(".")) walk(path.resolve(path.dirname(file), spec), [...trail, path.relative(repoRoot, file)]);
      else if (!spec.startsWith("node:")) {
        const pkg = spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0]!;
        if (!pkgs.has(pkg)) pkgs.set(pkg, [...trail, path.relative(repoRoot, file)]);
      }
    }
  };
  walk(entry, []);
  return pkgs;
}

test("import scanner: value imports, re-exports and side effects; type-only imports skipped", () => {
  const src =
    `import * as tf from "@tensorflow/tfjs";\nimport "@tensorflow/tfjs-backend-wasm";\n` +
    `import type { X } from "ink";\nimport {\n  a,\n  type B,\n} from "./a.ts";\nexport { c } from "./c.ts";\nexport type { D } from "./d.ts";\n` +
    `const later = await import("execa");\n// import { no } from "comment";\n`;
  assert.equal(staticImports(src), ["@tensorflow/tfjs", "@tensorflow/tfjs-backend-wasm", "./a.ts", "./c.ts"]);
});

const heavy = [
  "@tensorflow/tfjs",
  "@tensorflow/tfjs-backend-wasm",
  "@tensorflow/tfjs-node-gpu",
  "ink",
  "react",
  "execa",
  "sharp",
  "koffi",
];
/** The command modules of the table (runtime/cli/commands.ts), each loaded when its command runs. */
const commandFiles = [
  ...readFileSync(path.join(repoRoot, "runtime/cli/commands.ts"), "utf8").matchAll(/import\("\.\/([\w-]+\.ts)"\)/g),
].map((m) => path.join(repoRoot, "runtime/cli", m[1]!));

test("the entry loads no package: each command's module loads when that command runs", () => {
  const pkgs = reachablePackages(path.join(repoRoot, "runtime/cli/main.ts"));
  assert.equal([...pkgs.keys()], [], `scdx --help would load ${[...pkgs.keys()].join(", ")}`);
  assert.is(commandFiles.length, commands.length, "one module per command in the table");
});

test("no command's static imports reach tfjs, Ink, React, execa or koffi", () => {
  // The scan must really walk the graph: these are static imports of the checking path (chevrotain
  // is required by path, lang/chevrotain.ts).
  const check = reachablePackages(path.join(repoRoot, "runtime/cli/check.ts"));
  for (const p of ["ajv", "chalk"]) assert.ok(check.has(p), `${p} not found: the scan is broken`);
  assert.not.ok(check.has("vscode-languageserver"), "check loads the language server");
  for (const file of commandFiles) {
    const pkgs = reachablePackages(file);
    for (const p of heavy)
      assert.not.ok(pkgs.has(p), `${p} is loaded by \`${path.basename(file)}\`, via ${pkgs.get(p)?.join(" → ")}`);
  }
});

test("every command in the table loads, under its own name, with its help", async () => {
  for (const entry of commands) {
    const cmd = await entry.load();
    assert.is(cmd.name, entry.name);
    assert.ok(cmd.help.includes(`scdx ${entry.name}`), `${entry.name}'s help names it`);
    assert.ok(entry.summary.length > 10);
  }
});

test("default reporter: Ink on a sized terminal with work to do; plain when piped, 0 rows, or all cached", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "scdx-startup-"));
  try {
    const file = path.join(repoRoot, "test/fixtures/runtime/tiny.scd");
    const study = compileFile(file, []).study!;
    const s = openSession(study, file, { backend: "wasm", cache: path.join(dir, "cache"), cwd: repoRoot });
    const tty = { isTTY: true, rows: 40 };
    assert.is(defaultReporter(s, tty), "ink");
    assert.is(defaultReporter(s, { isTTY: false, rows: 40 }), "plain");
    assert.is(defaultReporter(s, { isTTY: true, rows: 0 }), "plain");
    // Entries present for all roots but one: still work to do. Then the last one: nothing is live.
    const roots = [...s.plan.roots];
    assert.ok(roots.length > 1);
    for (const node of roots.slice(1)) {
      const d = s.cache.entryDir(s.plan.stages.get(node)!.info.key);
      mkdirSync(d, { recursive: true });
      writeFileSync(path.join(d, "manifest.json"), "{}");
    }
    assert.is(defaultReporter(s, tty), "ink");
    const d = s.cache.entryDir(s.plan.stages.get(roots[0]!)!.info.key);
    mkdirSync(d, { recursive: true });
    writeFileSync(path.join(d, "manifest.json"), "{}");
    assert.is(defaultReporter(s, tty), "plain");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
