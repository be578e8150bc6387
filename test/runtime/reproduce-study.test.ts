// examples/shapes/reproduce.scd shrunk by --set (one seed, a few steps, 12 images, a learning rate
// that moves the students in 10 steps), end to end from the shipped 96 px teacher in a fresh folder.
// It asserts only what is robust at this size: every stage runs, metrics are in range, the SCD arm
// keeps more of the teacher's correlation structure than the RLA arm, and the teacher's same-segment
// AUROC beats the mean-colour baseline's (what the teacher's dense term was for).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { scdx } from "../support/cli.ts";
import { repoRoot } from "../support/golden.ts";
import type { RunEvent } from "../../runtime/events/events.ts";

const SHRINK = ["seed=11", "distill_steps=10", "refine_steps=4", "val_images=12", "lr=2e-3"];

test("examples/shapes/reproduce.scd, shrunk: 14 stages run; SCD keeps the teacher's correlations better than RLA", async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "scdx-reproduce-"));
  try {
    cpSync(path.join(repoRoot, "examples/shapes/reproduce.scd"), path.join(dir, "reproduce.scd"));
    cpSync(path.join(repoRoot, "examples/shapes/teacher-96"), path.join(dir, "teacher-96"), { recursive: true });
    const sets = SHRINK.flatMap((s) => ["--set", s]);
    const r = await scdx(
      "run",
      path.join(dir, "reproduce.scd"),
      ...sets,
      "--reporter",
      "plain",
      "--jobs",
      "2",
      "--cache",
      path.join(dir, "cache"),
    );
    assert.is(r.code, 0, r.out + r.err);
    const runs = path.join(dir, ".scdx", "runs");
    const runDir = path.join(runs, readdirSync(runs)[0]!);
    const ev = readFileSync(path.join(runDir, "events.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as RunEvent);
    assert.is(ev.filter((e) => e.type === "stage-done").length, 14);
    const results = JSON.parse(readFileSync(path.join(runDir, "results.json"), "utf8")) as {
      trials: { metrics: Record<string, number | null> }[];
    };
    assert.is(results.trials.length, 1);
    const m = results.trials[0]!.metrics;
    for (const arm of ["teacher", "refined", "clipself", "sc", "rsc", "rsc_spatial_refined"].map((a) =>
      a.includes("_") ? a : `${a}_spatial`,
    ))
      for (const k of ["miou", "auroc", "corr", "baseline_miou", "baseline_auroc"]) {
        const v = m[`${arm}.${k}`];
        assert.ok(typeof v === "number" && v >= 0 && v <= 1, `${arm}.${k} = ${v}`);
      }
    for (const k of [
      "teacher_regions.box.thing.top1",
      "teacher_regions.crop.thing.top1",
      "sc_regions.box.thing.top1",
    ]) {
      const v = m[k];
      assert.ok(typeof v === "number" && v >= 0 && v <= 1, `${k} = ${v}`);
    }
    assert.ok(
      Math.abs(m["teacher_spatial.corr"]! - 1) < 1e-6,
      `the teacher against itself: ${m["teacher_spatial.corr"]}`,
    );
    assert.ok(
      m["sc_spatial.corr"]! > m["clipself_spatial.corr"]!,
      `corr with teacher: SC-RLA ${m["sc_spatial.corr"]} vs RLA ${m["clipself_spatial.corr"]}`,
    );
    // The teacher's dense term is what gives it structure beyond pixels: its same-segment AUROC beats
    // the mean-colour baseline's (0.993 vs 0.979 at full size). Its probe mIoU does not (0.516 vs
    // 0.514 there: every thing class has one colour on grey), so that is not asserted.
    assert.ok(
      m["teacher_spatial.auroc"]! > m["teacher_spatial.baseline_auroc"]!,
      `teacher AUROC ${m["teacher_spatial.auroc"]} vs mean-colour baseline ${m["teacher_spatial.baseline_auroc"]}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
