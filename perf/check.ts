// Performance harness for `scdx check` (not a test: it never fails on a time, it only reports).
//   (a) warm in-process `compile` of a generated, clean 10,000-line study      target ≤ 100 ms
//   (b) warm in-process `compile` of a 1,000-trial sweep over design.scd       target ≤ 1 s
//   (c) cold CLI `node bin/scdx.js check examples/shapes/design.scd`          target ≤ 500 ms
//       next to its floor, `node -e 0` (the cost of starting Node at all)
// Medians after warm-up: ≥ 7 runs in process, ≥ 5 spawned processes.
// Run: node --import tsx perf/check.ts      (or npm run perf:check)
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { compile, type CompileResult, fsHost } from "../lang/compile.ts";
import type { Host } from "../lang/program.ts";
import { renderDiagnostics } from "../lang/render.ts";
import { bigStudy } from "./big-study.ts";
import { applyV8Flags, V8_FLAGS } from "../runtime/cli/v8-flags.ts";

// the V8 settings `scdx` runs with, so the in-process rows time what a user gets
applyV8Flags();

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const WARMUP = 3,
  RUNS = 9,
  CLI_RUNS = 7;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b),
    m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
function timeIt(f: () => void, warmup = WARMUP, runs = RUNS): number {
  for (let i = 0; i < warmup; i++) f();
  const ts: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    f();
    ts.push(performance.now() - t0);
  }
  return median(ts);
}
let ok = true;
/** Reports (does not throw) when a workload is not what it claims to be: the times would be meaningless. */
function expect(cond: boolean, what: string, r?: CompileResult): void {
  if (cond) return;
  ok = false;
  console.error(`!! ${what}`);
  if (r) {
    const texts = new Map([...r.loaded.files.values()].map((f) => [f.display, f.text]));
    console.error(
      renderDiagnostics(r.diagnostics.slice(0, 20), (p) => texts.get(p), { format: "pretty", color: false }),
    );
    if (r.usageErrors.length) console.error(r.usageErrors.join("\n"));
  }
}

const rows: { name: string; ms: number; target: number; peer?: string }[] = [];

// (a) ---------------------------------------------------------------------------------------------
const bigText = bigStudy(10_000);
const bigPath = path.join(root, "perf", "big.scd");
const memHost: Host = {
  readFile: (p) => (p.startsWith(path.join(root, "perf", "big")) ? bigText : undefined),
  display: (p) => path.relative(root, p),
};
const big = compile(bigPath, memHost);
let run = 0;
expect(!!big.study && big.diagnostics.length === 0, "the generated study does not check clean", big);
const lines = bigText.split("\n").length - 1;
rows.push({
  name: `(a) compile, generated study, ${lines} lines, ${Object.keys(big.study?.nodes ?? {}).length} nodes`,
  // a new file name each run: lang/program.ts reuses (or re-parses incrementally) a file it has
  // seen, and this is `scdx check`'s cold case, a whole parse included
  ms: timeIt(() => compile(path.join(root, "perf", `big-${run++}.scd`), memHost)),
  target: 100,
});

// (b) ---------------------------------------------------------------------------------------------
const designPath = path.join(root, "examples/shapes/design.scd");
const design = fs.readFileSync(designPath, "utf8");
const grid = (xs: number[]) => `[${xs.map((x) => String(+x.toFixed(6))).join(", ")}]`;
const range10 = (f: (i: number) => number) => Array.from({ length: 10 }, (_, i) => f(i));
const sweep = `sweep grid(lambda: ${grid(range10((i) => i * 0.4))}, tau: ${grid(range10((i) => (i + 1) / 10))}, seed: ${grid(range10((i) => i + 1))})`;
const sweptText = design.replace(/^sweep\b[^\n]*(\n[ \t]+[^\n]*)*/m, sweep);
expect(sweptText.includes(sweep), "could not find the sweep of design.scd to replace");
const swept = compile(designPath, undefined, { text: sweptText });
expect(
  swept.study?.trials.length === 1000,
  `the sweep has ${swept.study?.trials.length ?? "no"} trials, not 1000`,
  swept,
);
rows.push({
  name: `(b) compile, design.scd with a ${swept.study?.trials.length ?? "?"}-trial sweep, ${Object.keys(swept.study?.nodes ?? {}).length} nodes`,
  ms: timeIt(() =>
    compile(
      path.join(root, `examples/shapes/design-${run++}.scd`),
      { ...fsHost, display: (p) => p },
      { text: sweptText },
    ),
  ),
  target: 1000,
});

// (c) ---------------------------------------------------------------------------------------------
function spawnMs(args: string[]): number {
  const run = () => {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, args, {
      cwd: root,
      encoding: "utf8",
      env: { ...process.env, NODE_OPTIONS: "" },
    });
    const ms = performance.now() - t0;
    expect(
      r.status === 0,
      `\`node ${args.join(" ")}\` exited ${r.status}: ${(r.stderr || r.stdout).trim().slice(0, 2000)}`,
    );
    return ms;
  };
  run(); // warm the OS file cache; each run is still a fresh (cold) Node process
  return median(Array.from({ length: CLI_RUNS }, run));
}
const floor = spawnMs(["-e", "0"]);
const cli = spawnMs(["bin/scdx.js", "check", "examples/shapes/design.scd"]);
rows.push({
  name: "(c) cold CLI: node bin/scdx.js check examples/shapes/design.scd",
  ms: cli,
  target: 500,
  peer: `node -e 0: ${floor.toFixed(0)} ms, so ${(cli - floor).toFixed(0)} ms is scdx's own`,
});

// ---- report --------------------------------------------------------------------------------------
const fmt = (ms: number) => (ms < 10 ? ms.toFixed(2) : ms < 100 ? ms.toFixed(1) : ms.toFixed(0)).padStart(7) + " ms";
console.log(
  `scdx check performance — node ${process.version}, ${process.platform}/${process.arch}, V8 ${V8_FLAGS.join(" ")} (as scdx); medians of ${RUNS} warm runs (${WARMUP} warm-up), ${CLI_RUNS} processes for (c)\n`,
);
console.log(`${"workload".padEnd(72)} ${"median".padStart(10)} ${"target".padStart(10)}  ratio`);
for (const r of rows) {
  console.log(
    `${r.name.padEnd(72)} ${fmt(r.ms)} ${fmt(r.target)}  ${(r.ms / r.target).toFixed(2)}${r.ms > r.target ? "  over target" : ""}`,
  );
  if (r.peer) console.log(`${"".padEnd(4)}peer: ${r.peer}`);
}
if (!ok)
  console.log("\nnote: some workloads were not what they should be (see the messages above); their times mean little.");
