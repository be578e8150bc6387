// A real editor: Debian's headless Neovim attaches to `scdx lsp` with its own LSP client
// (nvim-client.lua), asks for hover and completion, edits the buffer and reads the diagnostics the
// way a user's Neovim shows them. Skipped, with the reason printed, only where nvim is missing and
// CI is not set (.ci/run installs it, so in CI a missing nvim fails).
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { repoRoot } from "../../support/golden.ts";
import { positionOf } from "../../support/lsp-client.ts";

const hasNvim = spawnSync("nvim", ["--version"]).status === 0;
const FILE = path.join(repoRoot, "examples/shapes/sweep.scd");

interface NvimOut {
  error?: string;
  published: number;
  log: string[];
  diagnostics_on_open: unknown[];
  hover?: { contents: { kind: string; value: string } };
  completion: { label: string; kind: number; detail?: string }[];
  diagnostics_after_edit: {
    lnum: number;
    col: number;
    end_col: number;
    code: string;
    message: string;
    severity: number;
  }[];
}

function runNvim(): NvimOut {
  const text = fs.readFileSync(FILE, "utf8");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "scdx-nvim-"));
  const brokenLine = positionOf(text, "scd(refine.model").line;
  const spec = {
    cmd: [process.execPath, path.join(repoRoot, "bin/scdx.js"), "lsp"],
    root: repoRoot,
    file: FILE,
    out: path.join(dir, "out.json"),
    hover: positionOf(text, "scd(refine.model", 0, 1),
    complete: positionOf(text, "tau: tau, ", 0, 10),
    edit: { line: brokenLine, text: text.split("\n")[brokenLine]!.replace("scd(refine", "sdc(refine") },
  };
  fs.writeFileSync(path.join(dir, "spec.json"), JSON.stringify(spec));
  try {
    execFileSync(
      "nvim",
      [
        "--headless",
        "--clean",
        "-n",
        "-i",
        "NONE",
        "-c",
        `luafile ${path.join(repoRoot, "test/runtime/lsp/nvim-client.lua")}`,
      ],
      {
        cwd: repoRoot,
        env: { ...process.env, SCDX_NVIM_SPEC: path.join(dir, "spec.json"), NODE_OPTIONS: "" },
        timeout: 90_000,
        stdio: "ignore",
      },
    );
    return JSON.parse(fs.readFileSync(spec.out, "utf8")) as NvimOut;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (!hasNvim && !process.env["CI"]) {
  console.log("nvim.test.ts: skipped — `nvim` is not installed (apt-get install neovim; .ci/run installs it)");
} else {
  test("headless Neovim gets the server's hover, completion and diagnostics", () => {
    const out = runNvim();
    if (process.env["SCDX_NVIM_TRANSCRIPT"]) console.log(JSON.stringify(out, null, 2));
    assert.is(out.error, undefined, out.error);
    assert.equal(out.diagnostics_on_open, [], "the example has no mistakes");
    assert.is(out.hover?.contents.kind, "markdown");
    assert.ok(out.hover?.contents.value.startsWith("```\nscd — loss, version "), out.hover?.contents.value);
    const direction = out.completion.find((c) => c.label === "direction");
    assert.is(direction?.detail, "source_to_student | student_to_source = source_to_student");
    const options = out.completion.filter((c) => c.kind === 10).map((c) => c.label);
    assert.equal(options, ["direction", "similarity", "scope"], "the options of scd not given yet");
    assert.not.ok(
      out.completion.some((c) => c.label === "source"),
      "the input `source` is given by position",
    );
    assert.equal(out.diagnostics_after_edit, [
      {
        lnum: 23,
        col: 17,
        end_col: 20,
        code: "SCD2001",
        message: "Unknown name `sdc`.\nhelp: did you mean `scd`?",
        severity: 1,
      },
    ]);
    assert.equal(
      out.log.filter((l) => l.includes("internal error")),
      [],
    );
  });
}

test.run();
