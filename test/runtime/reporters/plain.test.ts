import * as path from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { RunEvent } from "../../../runtime/events/events.ts";
import { plainReporter, type PlainOptions } from "../../../runtime/reporters/plain.ts";
import { golden, repoRoot } from "../../support/golden.ts";
import { KEY, T0, fullScript, runningScript } from "./script.ts";

function log(events: RunEvent[], opts: PlainOptions = { color: false }): string {
  let out = "";
  const r = plainReporter((s) => void (out += s), opts);
  for (const e of events) r.event(e);
  return out;
}

test("header, cached phase, stage transitions with trials and key prefixes", () => {
  const lines = log(fullScript()).split("\n");
  assert.is(
    lines[0],
    "ablate study.scd: 2 trials (sweep over lambda); 5 distinct stages for 6 trial×stage uses (1 shared) — backend wasm, 2 jobs",
  );
  assert.is(lines[1], "[00:00] ≡ pretrain [trials 1, 2] aaaaaaaa cached");
  assert.is(lines[2], "[00:01] 4 stages to run, 1 cached");
  assert.ok(lines.includes("[00:01] ▶ distill [trial 2] cccccccc started on worker 2, resumed at step 100"));
  assert.ok(lines.includes("[00:06] ⚑ distill [trial 2] cccccccc checkpoint at step 110"));
  assert.ok(lines.includes("[00:17] ✗ distill [trial 2] cccccccc failed at step 120, in term scd: loss is NaN"));
  assert.ok(lines.includes("[00:17] ⊘ regions [trial 2] eeeeeeee skipped: distill failed"));
  assert.ok(lines.includes("[00:30] ✓ distill [trial 1] bbbbbbbb done in 29s"));
  assert.ok(lines.includes("[00:17] trial 2 failed (distill, regions)"));
});

test("progress lines: loss with terms, rate from the window, eta; throttled per stage by the events' clock", () => {
  const out = log(runningScript());
  const progress = out.split("\n").filter((l) => / step \d+\/400/.test(l));
  // distill 1 reports every second; at most one line per 10 s of event time: t = 2 s and t = 12 s.
  assert.equal(progress, [
    "[00:02] distill [trial 1] step 20/400 loss 1.0000 (rla 0.6 scd 0.4)",
    "[00:05] distill [trial 2] step 110/400 loss 0.5000 4.0 steps/s eta 1m13s",
    "[00:12] distill [trial 1] step 220/400 loss 0.0909 (rla 0.055 scd 0.036) 20.0 steps/s eta 9s",
  ]);
  const every = log(runningScript(), { color: false, progressEverySeconds: 0 });
  assert.is(every.split("\n").filter((l) => /distill \[trial 1\] step/.test(l)).length, 15);
  assert.match(every, /step 300\/400 loss 0\.0667 \(rla 0\.04 scd 0\.027\) 20\.0 steps\/s eta 5s/);
});

test("a stage that restarts prints its first progress again", () => {
  const ev: RunEvent[] = [
    ...runningScript(),
    { type: "stage-started", t: T0 + 16_500, key: KEY.distill1, worker: 3, resumedAt: 300 },
    { type: "stage-progress", t: T0 + 17_000, key: KEY.distill1, done: 310, total: 400 },
  ];
  assert.match(log(ev), /\[00:17\] distill \[trial 1\] step 310\/400/);
});

test("end: results table in %, summary with counts, failed stage with its trials, run dir", () => {
  const out = log(fullScript());
  const end = out.slice(out.indexOf("\n\n") + 2);
  assert.match(
    end,
    /^metrics in %\ntrial  lambda  regions\.box\.top1  regions\.box\.top5\n    1  0\.5 {17}31\.3 {14}75\.0\n/,
  );
  assert.match(end, /\nfailed in 32s: 2 executed, 1 cached, 1 failed, 1 skipped\n/);
  assert.match(end, /\n  ✗ distill cccccccc \(trial 2\) at step 120, in term scd: loss is NaN\n/);
  assert.match(end, /\nrun dir runs\/ablate-1\n$/);
});

test("colour only when asked", () => {
  assert.not.match(log(fullScript()), /\x1b\[/);
  assert.match(log(fullScript(), { color: true }), /\x1b\[32m✓/);
});

test("whole log (golden; UPDATE=1 rewrites)", () => {
  golden(path.join(repoRoot, "test/fixtures/reporters/plain.txt"), log(fullScript()));
});

test.run();
