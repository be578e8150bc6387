import { EventEmitter } from "node:events";
import { render } from "ink-testing-library";
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { RunEvent } from "../../../runtime/events/events.ts";
import { RunView, inkReporter, liveRows, staticItems } from "../../../runtime/reporters/ink.tsx";
import { initialState, reduce, type RunState } from "../../../runtime/reporters/state.ts";
import { layout, progressBar, rowParts } from "../../../runtime/reporters/stage-row.tsx";
import { KEY, T0, fullScript, runningScript, stages, trials } from "./script.ts";

const fold = (events: RunEvent[]) => events.reduce(reduce, initialState());
// uvu's CLI sets FORCE_COLOR, so Ink colours its output there; assertions read the text.
// eslint-disable-next-line no-control-regex
const plain = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, "");

function frameOf(state: RunState, width?: number): string {
  const app = render(<RunView state={state} width={width} />);
  const f = plain(app.lastFrame() ?? "");
  app.unmount();
  return f;
}

const line = (frame: string, re: RegExp) => frame.split("\n").find((l) => re.test(l));

test("progress bar: proportion of cells filled", () => {
  assert.is(progressBar(10, 20, 20), "█".repeat(10) + "░".repeat(10));
  assert.is(progressBar(0, 20, 10), "░".repeat(10));
  assert.is(progressBar(25, 20, 4), "████");
  assert.is(progressBar(1, 0, 4), "░░░░");
});

test("running frame: header, cached and shared rows, live rows with bar, count, loss, rate, eta", () => {
  const f = frameOf(fold(runningScript()));
  assert.match(f.split("\n")[0]!, /^ablate study\.scd: 2 trials \(sweep over lambda\)/);
  assert.match(line(f, /pretrain #1/)!, /^≡ pretrain #1 +cached aaaaaaaa$/);
  assert.match(line(f, /pretrain #2/)!, /^↻ pretrain #2 += trial 1 \(shared, cached\)$/);
  // 300/400 → 15 of 20 cells.
  const d1 = line(f, /distill +#1/)!;
  assert.ok(d1.includes("█".repeat(15) + "░".repeat(5)), d1);
  assert.match(d1, /300\/400 +loss 0\.0667 +20\.0 steps\/s +eta 5s/);
  assert.match(line(f, /distill +#2/)!, /110\/400 +loss 0\.5000 +4\.0 steps\/s +eta 1m13s +resumed at 100/);
  assert.match(line(f, /regions +#1/)!, /^· regions +#1$/);
  // Live rows follow the finished ones, in trial × stage order.
  const order = f
    .split("\n")
    .filter((l) => / #\d/.test(l))
    .map((l) => l.replace(/^\S+ (\w+) +#(\d).*$/, "$1 $2"));
  assert.equal(order, ["pretrain 1", "pretrain 2", "distill 1", "regions 1", "distill 2", "regions 2"]);
});

test("a bench stage at half way shows a half-filled bar and img/s", () => {
  let s = fold(fullScript().slice(0, -6));
  s = reduce(s, { type: "stage-started", t: T0 + 30_000, key: KEY.regions1, worker: 1 });
  s = reduce(s, { type: "stage-progress", t: T0 + 31_000, key: KEY.regions1, done: 50, total: 200 });
  s = reduce(s, { type: "stage-progress", t: T0 + 32_000, key: KEY.regions1, done: 100, total: 200 });
  const r = line(frameOf(s), /regions +#1/)!;
  assert.ok(r.includes("█".repeat(10) + "░".repeat(10)), r);
  assert.match(r, /100\/200 +50\.0 img\/s +eta 2s/);
});

test("final frame: failed, skipped, shared marks, then the results table and summary", () => {
  const f = frameOf(fold(fullScript()));
  assert.match(
    line(f, /distill +#2/)!,
    /^✗ distill +#2 █{6}░{14} +120\/400 +failed at step 120, in term scd: loss is NaN$/,
  );
  assert.match(line(f, /regions +#2/)!, /^⊘ regions +#2 +skipped: distill failed$/);
  assert.match(line(f, /distill +#1/)!, /^✓ distill +#1 █{20} +400\/400 +loss 0\.0667 +done in 29s$/);
  const table = f.slice(f.indexOf("metrics in %"));
  assert.match(
    table,
    /^metrics in %\ntrial +lambda +regions\.box\.top1 +regions\.box\.top5\n +1 +0\.5 +31\.3 +75\.0\n +2 +2 +— +—\n/,
  );
  assert.match(table, /\nfailed in 32s: 2 executed, 1 cached, 1 failed, 1 skipped\n/);
  assert.match(table.trimEnd(), /\nrun dir runs\/ablate-1$/);
  // Nothing is left in the live region once the run is done.
  assert.is(f.trimEnd().split("\n").at(-1), "run dir runs/ablate-1");
});

test("static items are append-only: each frame's list extends the previous one", () => {
  const ev = fullScript();
  let s = initialState(),
    prev: string[] = [];
  for (const e of ev) {
    s = reduce(s, e);
    const ids = staticItems(s).map((i) => i.id);
    assert.equal(ids.slice(0, prev.length), prev);
    prev = ids;
  }
  assert.equal(prev, ["header", "1:pretrain", "2:pretrain", "2:distill", "2:regions", "1:distill", "1:regions", "end"]);
});

test("narrow terminals: names truncated, bar dropped; long plans cap the live rows", () => {
  const s = fold(runningScript());
  const l = layout(s, 40);
  assert.is(l.bar, 0);
  assert.is(l.name, 6);
  const p = rowParts(s, s.rows[0]!, l);
  assert.is(p.name, "pretr…");
  assert.is(rowParts(s, s.rows[1]!, l).name, "disti…");
  // Wide enough: names padded to the longest, not cut.
  assert.is(rowParts(s, s.rows[1]!, layout(s, 100)).name, "distill ");
  const many = reduce(initialState(), {
    type: "run-start",
    t: T0,
    runId: "r",
    experiment: "big",
    file: "b.scd",
    backend: "cpu",
    jobs: 1,
    swept: [],
    stages,
    trials: Array.from({ length: 10 }, (_, i) => ({ ...trials[i % 2]!, index: i })),
  });
  const live = liveRows(reduce(many, { type: "stage-started", t: T0 + 1, key: KEY.regions2, worker: 1 }), 5);
  assert.is(live.rows.length, 4);
  assert.is(live.hidden, many.rows.length - 4);
  assert.ok(
    live.rows.some((r) => r.key === KEY.regions2 && r.sharedWith === null),
    "the running row is kept",
  );
  assert.match(frameOf(many), /… \d+ more planned/);
});

/** Enough of a WriteStream for Ink: columns, rows, write, and the events it subscribes to. */
class FakeStdout extends EventEmitter {
  columns = 100;
  rows = 30;
  isTTY = false;
  frames: string[] = [];
  // With CI set (is-in-ci), Ink also writes its last live output plus "\n" on unmount; in debug
  // mode that output is always empty, so the write is a bare newline, not a frame.
  write = (s: string) => {
    if (plain(s).trim() !== "") this.frames.push(plain(s));
    return true;
  };
}

test("inkReporter: coalesces a burst of events into few renders and ends with the table", async () => {
  const stdout = new FakeStdout();
  const r = inkReporter({
    stdout: stdout as unknown as NodeJS.WriteStream,
    debug: true,
    color: false,
    patchConsole: false,
    intervalMs: 50,
  });
  const ev = fullScript();
  const start = stdout.frames.length;
  const burst = runningScript().length + 2;
  for (const e of ev.slice(0, burst)) r.event(e);
  // A burst of events in one tick: no render yet, one after the interval.
  assert.is(stdout.frames.length, start);
  await new Promise((res) => setTimeout(res, 120));
  const afterBurst = stdout.frames.length;
  // One re-render for the whole burst; in debug mode Ink writes a frame per commit, and <Static>
  // commits once more when it takes new items, so one re-render is at most two frames.
  assert.ok(
    afterBurst - start >= 1 && afterBurst - start <= 2,
    `frames after burst of ${burst}: ${afterBurst - start}`,
  );
  assert.match(stdout.frames.at(-1)!, /✗ distill +#2/);
  for (const e of ev.slice(burst)) r.event(e);
  await r.close?.();
  const last = stdout.frames.filter((f) => f.includes("metrics in %")).at(-1)!;
  assert.match(last, /trial +lambda +regions\.box\.top1/);
  assert.match(last, /run dir runs\/ablate-1/);
  // One re-render at run-done (two frames, as above), and Ink's own final frame on unmount.
  assert.ok(stdout.frames.length - afterBurst <= 3, `frames at the end: ${stdout.frames.length - afterBurst}`);
});

test.run();
