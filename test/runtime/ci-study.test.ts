// CI runs examples/shapes/ci.scd as it is: pretrain → Refiner → RLA + λ·SCD (2 trials) → benches,
// end to end on real tensors, in a fresh project folder so nothing is cached. It checks that the
// whole pipeline runs and shares what it should, not that the method works at this size.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { scdx } from "../support/cli.ts";
import { repoRoot } from "../support/golden.ts";
import type { RunEvent } from "../../runtime/events/events.ts";

test("examples/shapes/ci.scd runs end to end: 10 stages for 14 uses, metrics for both trials", async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "scdx-ci-"));
  try {
    const file = path.join(dir, "ci.scd");
    copyFileSync(path.join(repoRoot, "examples/shapes/ci.scd"), file);
    const r = await scdx("run", file, "--reporter", "plain", "--jobs", "2", "--cache", path.join(dir, "cache"));
    assert.is(r.code, 0, r.out + r.err);
    const runs = path.join(dir, ".scdx", "runs");
    const runDir = path.join(runs, readdirSync(runs)[0]!);
    const ev = readFileSync(path.join(runDir, "events.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as RunEvent);
    const start = ev.find((e) => e.type === "run-start") as Extract<RunEvent, { type: "run-start" }>;
    assert.is(start.stages.length, 10);
    assert.is(ev.filter((e) => e.type === "stage-done").length, 10);
    const results = JSON.parse(readFileSync(path.join(runDir, "results.json"), "utf8")) as {
      trials: { params: { lambda: number }; metrics: Record<string, number | null> }[];
    };
    assert.equal(
      results.trials.map((t) => t.params.lambda),
      [0, 0.5],
    );
    for (const t of results.trials) {
      for (const m of [
        "teacher_regions.box.thing.top1",
        "teacher_regions.crop.thing.top1",
        "teacher_spatial.miou",
        "regions.mask.stuff.top1",
        "spatial.miou",
      ]) {
        const v = t.metrics[m];
        assert.ok(typeof v === "number" && v >= 0 && v <= 1, `${m} = ${v}`);
      }
    }
    // Shared stages give equal numbers in both trials; the distilled students differ.
    assert.is(results.trials[0]!.metrics["teacher_spatial.miou"], results.trials[1]!.metrics["teacher_spatial.miou"]);
    assert.match(r.out, /done in .*: 10 executed, 0 cached, 0 failed/);
    assert.ok(readFileSync(path.join(runDir, "results.csv"), "utf8").split("\n")[0]!.includes("spatial.miou"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
