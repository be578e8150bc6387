import { test } from "uvu";
import * as assert from "uvu/assert";
import type { RunEvent } from "../../../runtime/events/events.ts";
import { initialState, reduce, statusCounts, trialMetrics, type RunState } from "../../../runtime/reporters/state.ts";
import { KEY, T0, fullScript, runningScript } from "./script.ts";

const fold = (events: RunEvent[], from: RunState = initialState()) => events.reduce(reduce, from);

test("rows: one per trial × stage in trial order; the shared stage points at its first trial", () => {
  const s = fold(runningScript().slice(0, 1));
  assert.equal(
    s.rows.map((r) => `${r.trial}:${r.name}:${r.sharedWith ?? "-"}`),
    ["1:pretrain:-", "1:distill:-", "1:regions:-", "2:pretrain:1", "2:distill:-", "2:regions:-"],
  );
  assert.is(s.rows[3]!.key, KEY.pretrain);
  assert.equal(
    s.trials.map((t) => t.number),
    [1, 2],
  );
  assert.is(s.stages[KEY.distill1]!.status, "planned");
  assert.is(s.run!.experiment, "ablate");
});

test("progress: rate estimated from the window of `t`, eta = (total − done) / rate", () => {
  const s = fold(runningScript());
  const d = s.stages[KEY.distill1]!;
  assert.is(d.status, "running");
  assert.is(d.done, 300);
  // 20 steps per 1000 ms everywhere in the window.
  assert.ok(Math.abs(d.rate! - 20) < 1e-9, `rate ${d.rate}`);
  assert.ok(Math.abs(d.eta! - 100 / 20) < 1e-9, `eta ${d.eta}`);
  assert.ok(Math.abs(d.loss! - 1 / 15) < 1e-12);
  assert.equal(Object.keys(d.terms!), ["rla", "scd"]);
  assert.is(d.lr, 1e-5);
});

test("progress: a single observation gives no rate; the runner's own rate wins", () => {
  const ev = runningScript();
  const first = fold(ev.slice(0, 5));
  assert.is(first.stages[KEY.distill1]!.done, 20);
  assert.is(first.stages[KEY.distill1]!.rate, undefined);
  assert.is(first.stages[KEY.distill1]!.eta, undefined);
  const s = fold(ev);
  const d2 = s.stages[KEY.distill2]!;
  assert.is(d2.resumedAt, 100);
  assert.is(d2.rate, 4);
  assert.is(d2.eta, (400 - 110) / 4);
  assert.is(d2.checkpoint, 110);
});

test("rate window: samples older than 30 s stop counting", () => {
  let s = fold(runningScript().slice(0, 3));
  // 100 steps in the first 10 s, then 10 steps per 10 s for 60 s: the window sees only the slow part.
  s = reduce(s, { type: "stage-progress", t: T0 + 10_000, key: KEY.distill1, done: 100, total: 400 });
  for (let k = 1; k <= 6; k++)
    s = reduce(s, {
      type: "stage-progress",
      t: T0 + 10_000 + k * 10_000,
      key: KEY.distill1,
      done: 100 + 10 * k,
      total: 400,
    });
  assert.ok(Math.abs(s.stages[KEY.distill1]!.rate! - 1) < 1e-9, `rate ${s.stages[KEY.distill1]!.rate}`);
});

test("failure, skip, cached, done: statuses, order of finishing, error detail, trial metrics", () => {
  const s = fold(fullScript());
  assert.equal(s.finished, [KEY.pretrain, KEY.distill2, KEY.regions2, KEY.distill1, KEY.regions1]);
  const f = s.stages[KEY.distill2]!;
  assert.is(f.status, "failed");
  assert.equal(f.error, { message: "loss is NaN", step: 120, term: "scd" });
  assert.is(f.done, 120);
  assert.is(s.stages[KEY.regions2]!.skipReason, "distill failed");
  assert.is(s.stages[KEY.pretrain]!.status, "cached");
  assert.is(s.stages[KEY.distill1]!.seconds, 29);
  assert.equal(s.stages[KEY.regions1]!.metrics, { "box.top1": 0.3125, "box.top5": 0.75 });
  assert.equal(statusCounts(s), { planned: 0, cached: 1, waiting: 0, running: 0, done: 2, failed: 1, skipped: 1 });
  assert.equal([...trialMetrics(s).keys()], [1, 2]);
  assert.is(s.trials[1]!.ok, false);
  assert.equal(s.trials[1]!.failed, ["distill", "regions"]);
  assert.is(s.done!.runDir, "runs/ablate-1");
  assert.is(s.now, T0 + 32_000);
});

test("waiting and damaged: lock holder kept, damaged reason survives into the recompute", () => {
  let s = fold(runningScript().slice(0, 1));
  s = reduce(s, { type: "stage-waiting", t: T0 + 1, key: KEY.pretrain, holder: "pid 42 on gpu1" });
  assert.is(s.stages[KEY.pretrain]!.status, "waiting");
  assert.is(s.stages[KEY.pretrain]!.holder, "pid 42 on gpu1");
  s = reduce(s, { type: "stage-damaged", t: T0 + 2, key: KEY.distill1, reason: "checksum mismatch" });
  s = reduce(s, { type: "stage-started", t: T0 + 3, key: KEY.distill1, worker: 1 });
  assert.is(s.stages[KEY.distill1]!.status, "running");
  assert.is(s.stages[KEY.distill1]!.damaged, "checksum mismatch");
});

test("reduce is pure: earlier states are not modified; unknown keys are ignored", () => {
  const ev = fullScript();
  const before = fold(ev.slice(0, 10));
  const snapshot = JSON.stringify(before);
  fold(ev.slice(10), before);
  assert.is(JSON.stringify(before), snapshot);
  const same = reduce(before, { type: "stage-done", t: T0, key: "nope", seconds: 1 });
  assert.is(same.stages, before.stages);
});

test.run();
