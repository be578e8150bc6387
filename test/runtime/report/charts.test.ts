// The report's charts from synthetic report data: which metrics are plotted (not the constant ones),
// how many points each chart draws, and that the SVG has marks — the numbers the browser test
// cannot know in advance for a 3-parameter sweep.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { curveCharts, parallelChart, sweepCharts } from "../../../runtime/report/charts.ts";
import { constantMetrics, type ReportData, type TrialRow } from "../../../runtime/report/report-data.ts";

function data(trials: TrialRow[], swept: string[]): ReportData {
  return {
    summary: {
      id: "x",
      dir: "/x",
      experiment: "x",
      started: "",
      trials: trials.length,
      stages: 0,
      status: "done",
      seconds: 1,
    },
    file: "x.scd",
    environment: {},
    sources: {},
    swept,
    trials,
    stages: [],
    missing: [],
  };
}

const grid3 = () => grid;
const grid: TrialRow[] = [];
for (const a of [0, 1])
  for (const b of [0.1, 0.2])
    for (const c of [1, 2])
      grid.push({
        trial: grid.length + 1,
        params: { a, b, c, seed: 0 },
        metrics: { "teacher.acc": 0.3, "student.acc": 0.2 + a * 0.1 + b, "student.miou": 0.4 - c * 0.01 },
        ok: true,
        failures: [],
      });

test("constant metrics are the shared ones, unless every metric is constant", () => {
  assert.equal([...constantMetrics(grid)], [["teacher.acc", 0.3]]);
  const flat = grid.map((t) => ({ ...t, metrics: { "teacher.acc": 0.3 } }));
  assert.equal(constantMetrics(flat).size, 0);
});

test("sweep charts: one per swept param (not seed), varying metrics only, a point per trial and metric", async () => {
  const charts = await sweepCharts(data(grid, ["a", "b", "c", "seed"]));
  assert.equal(
    charts.map((c) => c.title),
    ["metrics vs a", "metrics vs b", "metrics vs c"],
  );
  for (const c of charts) {
    assert.is(c.points, grid.length * 2);
    assert.ok((c.svg.match(/<path/g) ?? []).length >= 4, `${c.title} has drawn marks`);
  }
});

test("three swept params: a parallel-coordinates plot with a point per trial and axis", async () => {
  const [pc] = await parallelChart(data(grid, ["a", "b", "c"]));
  assert.ok(pc);
  assert.is(pc!.points, grid.length * 5); // a, b, c, student.acc, student.miou
  assert.ok((pc!.svg.match(/<path/g) ?? []).length >= grid.length);
  assert.equal(await parallelChart(data(grid, ["a", "b"])), []);
});

test("a random-search sweep gets scatter plots: every trial a point, no lines", async () => {
  const drawn: TrialRow[] = Array.from({ length: 12 }, (_, i) => ({
    trial: i + 1,
    params: { a: 0.1 + ((i * 7) % 12) / 10, b: 2 + ((i * 5) % 12) / 7, seed: 0 },
    metrics: { acc: 0.2 + ((i * 3) % 12) / 100 },
    ok: true,
    failures: [],
  }));
  const charts = await sweepCharts(data(drawn, ["a", "b"]));
  assert.equal(
    charts.map((c) => c.title),
    ["metrics vs a (random search)", "metrics vs b (random search)"],
  );
  for (const c of charts) {
    assert.is(c.points, 12);
    assert.ok((c.svg.match(/role-symbol|class="mark-symbol/g) ?? []).length > 0, "point marks");
    assert.not.match(c.svg, /class="mark-line/, "no lines between random points");
  }
  const grid = await sweepCharts(data(grid3(), ["a", "b", "c"]));
  assert.not.match(grid[0]!.title, "random");
});

test("no train stages: no curves", async () => {
  assert.equal(await curveCharts(data(grid, ["a"])), []);
});

test("seed-swept trials: one row per group with mean ± SE, the seeds as hidden rows that expand", async () => {
  const { reportHtml } = await import("../../../runtime/report/report-html.ts");
  const seeds: TrialRow[] = [0, 1, 2].flatMap((seed) =>
    [0, 1].map((a) => ({
      trial: seed * 2 + a + 1,
      params: { a, seed },
      metrics: { acc: 0.5 + a * 0.1 + seed * 0.01 },
      ok: true,
      failures: [],
    })),
  );
  const html = reportHtml(data(seeds, ["a", "seed"]), { sweep: [], curves: [], curvesLog: [] }, "");
  const groups = [...html.matchAll(/<tr class="row expandable">/g)].length;
  assert.is(groups, 2, "one row per value of a");
  assert.is([...html.matchAll(/<tr class="seed" hidden>/g)].length, 6, "a hidden row per seed");
  assert.match(html, '51.0 <span class="se">± 0.6</span>'); // mean of 50, 51, 52 %; SE 0.577
});

test.run();
