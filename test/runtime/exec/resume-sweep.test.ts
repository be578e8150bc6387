// Resuming a half-done sweep is the same command: a 20-trial random-search sweep interrupted with
// Ctrl-C once half its stages are done, then run again, executes exactly the stage keys the first
// run did not finish, and takes the finished ones from the cache.
import { execa } from "execa";
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { RunEvent } from "../../../runtime/events/events.ts";
import { repoRoot } from "../../support/golden.ts";

const BIN = path.join(repoRoot, "bin", "scdx.js");
const dir = mkdtempSync(path.join(os.tmpdir(), "scdx-resume-sweep-"));
const file = path.join(dir, "tiny.scd");
copyFileSync(path.join(repoRoot, "test/fixtures/runtime/tiny.scd"), file);
writeFileSync(
  file,
  readFileSync(file, "utf8").replace(
    /^sweep .*$/m,
    "sweep random(20, 3, lambda: uniform(0, 4), tau: loguniform(0.05, 0.5))",
  ),
);

function runs(): RunEvent[][] {
  const root = path.join(dir, ".scdx", "runs");
  return readdirSync(root)
    .sort()
    .map((id) =>
      readFileSync(path.join(root, id, "events.jsonl"), "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as RunEvent),
    );
}
const keysOf = (ev: RunEvent[], type: RunEvent["type"]) =>
  new Set(ev.filter((e) => e.type === type).map((e) => (e as { key: string }).key));

test("interrupted at half its stages, the same command executes exactly the missing stage keys", async () => {
  const args = [BIN, "run", file, "--cache", path.join(dir, "cache"), "--reporter", "json", "--jobs", "2"];
  const child = execa("node", args, { reject: false, cwd: repoRoot });
  let done = 0,
    total = 0,
    sent = false;
  child.stdout!.on("data", (d: Buffer) => {
    for (const line of d.toString().split("\n")) {
      if (line.includes('"run-start"')) total = (JSON.parse(line) as { stages: unknown[] }).stages.length;
      if (line.includes('"stage-done"')) done++;
      if (!sent && total && done >= total / 2) {
        sent = true;
        child.kill("SIGINT");
      }
    }
  });
  const first = await child;
  assert.ok(sent, `interrupted (saw ${done} of ${total} stages done)`);
  assert.is(first.exitCode, 130, first.stderr);
  assert.is(total, 41, "1 shared pretrain + 20 distills + 20 benches");

  const again = await execa("node", args, { reject: false, cwd: repoRoot });
  assert.is(again.exitCode, 0, again.stderr);
  const [one, two] = runs();
  const all = new Set(
    (one!.find((e) => e.type === "run-start") as { stages: readonly { key: string }[] }).stages.map((s) => s.key),
  );
  const finished = keysOf(one!, "stage-done");
  assert.ok(finished.size >= 20 && finished.size < 41, `${finished.size} finished before the interrupt`);
  const missing = [...all].filter((k) => !finished.has(k)).sort();
  assert.equal([...keysOf(two!, "stage-started")].sort(), missing, "the rerun starts exactly the missing keys");
  assert.equal([...keysOf(two!, "stage-cached")].sort(), [...finished].sort(), "and serves the finished ones");
});

test.after(() => rmSync(dir, { recursive: true, force: true }));

test.run();
