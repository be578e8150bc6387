// The live UI at scale: a 1,000-trial sweep (a shared pretrain, then per trial a distill and a
// bench) drawn grouped by stage name — never more lines than the terminal has — with counts, the
// stages running now, the best trials so far, and a short end instead of a 1,000-column table.
import { render } from "ink-testing-library";
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { RunEvent, StageInfo, TrialInfo } from "../../../runtime/events/events.ts";
import { RunView, isGrouped } from "../../../runtime/reporters/ink.tsx";
import { bestTrials, stageGroups } from "../../../runtime/reporters/grouped.tsx";
import { initialState, reduce, type RunState } from "../../../runtime/reporters/state.ts";

// eslint-disable-next-line no-control-regex
const plain = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, "");
const N = 1000;
const key = (name: string, i: number) => `${name}${String(i).padStart(6, "0")}`.padEnd(16, "0");
const info = (k: string, name: string, kind: "train" | "bench", trials: number[]): StageInfo => ({
  key: k,
  node: k.slice(0, 8),
  name,
  kind,
  op: kind === "train" ? "train" : "unsupervised_segmentation",
  trials,
  total: kind === "train" ? 100 : 50,
  unit: kind === "train" ? "steps" : "images",
  memory: 1e8,
});

function script(): RunEvent[] {
  const pre = key("pre", 0);
  const stages: StageInfo[] = [
    info(
      pre,
      "pretrain",
      "train",
      Array.from({ length: N }, (_, i) => i + 1),
    ),
  ];
  const trials: TrialInfo[] = [];
  for (let i = 0; i < N; i++) {
    stages.push(info(key("dis", i), "distill", "train", [i + 1]), info(key("ben", i), "spatial", "bench", [i + 1]));
    trials.push({
      index: i,
      params: { lambda: (i % 100) / 25, seed: 0 },
      stages: { pretrain: pre, distill: key("dis", i), spatial: key("ben", i) },
    });
  }
  const ev: RunEvent[] = [
    {
      type: "run-start",
      t: 0,
      runId: "r",
      experiment: "big",
      file: "big.scd",
      backend: "native",
      jobs: 8,
      swept: ["lambda"],
      trials,
      stages,
    },
    { type: "stage-cached", t: 1, key: pre },
  ];
  // 600 trials finished, 8 distills running, the rest planned
  for (let i = 0; i < 600; i++) {
    ev.push({ type: "stage-done", t: 2 + i, key: key("dis", i), seconds: 1 });
    ev.push({ type: "stage-done", t: 2 + i, key: key("ben", i), seconds: 1, metrics: { miou: 0.3 + (i % 97) / 1000 } });
    ev.push({
      type: "trial-done",
      t: 2 + i,
      trial: i + 1,
      ok: true,
      metrics: { "spatial.miou": 0.3 + (i % 97) / 1000 },
      failed: [],
    });
  }
  for (let i = 600; i < 608; i++) {
    ev.push({ type: "stage-started", t: 700, key: key("dis", i), worker: i - 599 });
    ev.push({ type: "stage-progress", t: 800, key: key("dis", i), done: 40, total: 100, loss: 0.5, rate: 10 });
  }
  return ev;
}

const fold = (events: RunEvent[]) => events.reduce(reduce, initialState());

/** As inkReporter draws it: live rows capped to the terminal's height less 4 (header and margin). */
function frame(state: RunState, width: number, rows: number): string[] {
  const app = render(<RunView state={state} width={width} maxLive={Math.max(5, rows - 4)} />);
  const f = plain(app.lastFrame() ?? "");
  app.unmount();
  return f.split("\n");
}

test("counts per stage name, and the best trials so far", () => {
  const s = fold(script());
  const g = Object.fromEntries(stageGroups(s).map((x) => [x.name, x]));
  assert.equal([g["pretrain"]!.counts.cached, g["pretrain"]!.counts.shared, g["pretrain"]!.distinct], [1, 999, 1]);
  assert.equal([g["distill"]!.counts.done, g["distill"]!.counts.running, g["distill"]!.counts.planned], [600, 8, 392]);
  assert.equal([g["spatial"]!.counts.done, g["spatial"]!.counts.planned], [600, 400]);
  const best = bestTrials(s, 3)!;
  assert.is(best.metric, "spatial.miou");
  assert.equal(
    best.rows.map((r) => r.trial),
    [97, 194, 291],
  ); // i % 97 = 96 is highest; lowest trial numbers first
  // --sort METRIC --asc: lowest first
  const low = bestTrials(s, 3, { metric: "spatial.miou", asc: true })!;
  assert.equal(
    low.rows.map((r) => [r.trial, r.value]),
    [
      [1, 0.3],
      [98, 0.3],
      [195, 0.3],
    ],
  );
  assert.is(bestTrials(s, 3, { metric: "spatial.nope" })!.rows.length, 0);
  const app = render(<RunView state={s} width={100} maxLive={20} sort={{ metric: "spatial.miou", asc: true }} />);
  assert.match(plain(app.lastFrame() ?? ""), "best so far by spatial.miou (lowest)");
  app.unmount();
});

for (const [width, rows] of [
  [120, 40],
  [80, 24],
  [60, 12],
] as const) {
  test(`1,000 trials on a ${width}×${rows} terminal: grouped, never more lines than rows`, () => {
    const s = fold(script());
    assert.ok(isGrouped(s, rows - 4));
    const lines = frame(s, width, rows);
    assert.match(lines[0]!, /^big big\.scd: 1000 trials/);
    // the live region (after the header, which Ink wraps to the terminal itself) fits the rows left
    const live = lines.slice(lines.findIndex((l) => l.startsWith("pretrain")));
    assert.ok(live.length <= Math.max(5, rows - 4), `${live.length} live lines:\n${live.join("\n")}`);
    assert.ok(
      live.every((l) => l.length <= width),
      `a line wider than the terminal:\n${live.join("\n")}`,
    );
    const distill = lines.find((l) => l.startsWith("distill"))!;
    assert.match(distill, /600\/1000 .*600 done, 8 running, 392 to run/);
    assert.match(lines.find((l) => l.startsWith("pretrain"))!, /1\/1 .*1 cached, 999 shared/);
    if (rows >= 24) {
      assert.ok(
        lines.some((l) => /^\S+ distill +#601/.test(l)),
        "a running stage's own row",
      );
      assert.ok(lines.some((l) => /best so far by spatial\.miou/.test(l)));
    }
  });
}

test("the end of a 1,000-trial run: the best 10 rows and where the rest are, not a 1,000-column table", () => {
  const ev = script();
  ev.push({
    type: "run-done",
    t: 9999,
    ok: false,
    interrupted: true,
    executed: 1200,
    cached: 1,
    failed: 0,
    seconds: 100,
  });
  const lines = frame(fold(ev), 100, 40);
  const all = lines.join("\n");
  assert.match(all, "best 10 of 600 finished by spatial.miou; `scdx results` lists them all", all);
  assert.ok(lines.length < 60, `${lines.length} lines`);
});

test("a small run keeps a row per trial × stage", () => {
  const small = script().filter((e) => e.type !== "run-start");
  const start = script()[0] as Extract<RunEvent, { type: "run-start" }>;
  const s = fold([{ ...start, trials: start.trials.slice(0, 3), stages: start.stages.slice(0, 7) }, ...small]);
  assert.not.ok(isGrouped(s, 38));
});

test.run();
