// Golden files: compare with the committed expectation, or rewrite it when UPDATE=1.
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import * as assert from "uvu/assert";
import { fsHost } from "../../lang/compile.ts";
import type { Host } from "../../lang/program.ts";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export function golden(file: string, actual: string): void {
  if (process.env["UPDATE"] === "1" || !fs.existsSync(file)) {
    fs.writeFileSync(file, actual);
    if (process.env["UPDATE"] !== "1")
      throw new Error(`golden file ${path.relative(repoRoot, file)} did not exist; wrote it — review and commit`);
    return;
  }
  assert.fixture(
    actual,
    fs.readFileSync(file, "utf8"),
    `golden ${path.relative(repoRoot, file)} (UPDATE=1 regenerates)`,
  );
}

/** Reads real files; shows paths relative to the repository root, whatever the cwd. */
export const repoHost: Host = { readFile: fsHost.readFile, display: (p) => path.relative(repoRoot, p) };

export function scdFiles(dir: string, recursive = false): string[] {
  return (fs.readdirSync(dir, { recursive, withFileTypes: false }) as string[])
    .filter((f) => f.endsWith(".scd"))
    .sort()
    .map((f) => path.join(dir, f));
}
