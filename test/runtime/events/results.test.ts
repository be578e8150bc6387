import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Json } from "../../../core/ir.ts";
import type { Metrics, TrialInfo } from "../../../runtime/events/events.ts";
import { formatTable, resultsTable, stat, toCsv } from "../../../runtime/events/results.ts";

const close = (a: number | null, b: number, what: string) =>
  assert.ok(a !== null && Math.abs(a - b) < 1e-12, `${what}: ${a} vs ${b}`);

// Six trials interleaving two learning rates over three seeds; metric `a` is a fraction with a
// missing value, `b` is not a fraction and first appears in trial 2.
const grid: [number, number][] = [
  [1e-5, 0],
  [1e-4, 0],
  [1e-5, 1],
  [1e-4, 1],
  [1e-5, 2],
  [1e-4, 2],
];
const trials: TrialInfo[] = grid.map(([lr, seed], i) => ({
  index: i,
  params: { lr, seed, tag: 'he said "hi", ok' },
  stages: {},
}));
const metrics = new Map<number, Metrics>([
  [1, { a: 0.2 }],
  [2, { a: 0.1, b: 20 }],
  [3, { a: 0.4, b: 10 }],
  [4, { a: 0.3, b: 20 }],
  [5, { a: 0.9, b: 14 }],
  [6, { a: null, b: 20 }],
]);

test("stat: mean and standard error by hand (0.2, 0.4, 0.9 → 0.5, √(0.13/3))", () => {
  const s = stat([0.2, 0.4, null, 0.9]);
  close(s.mean, 0.5, "mean");
  // deviations −0.3, −0.1, 0.4: Σd² = 0.26, s² = 0.13, SE = √(0.13 / 3) = 0.2081666
  close(s.se, Math.sqrt(0.13 / 3), "se");
  assert.ok(Math.abs(s.se! - 0.2081666) < 1e-7);
  assert.is(s.count, 3);
  assert.equal(stat([0.7]), { mean: 0.7, se: null, count: 1 });
  assert.equal(stat([null, null]), { mean: null, se: null, count: 0 });
});

test("grouped: trials differing only in seed form one row each, in order of first appearance", () => {
  const t = resultsTable(trials, ["lr", "seed"], metrics);
  assert.ok(t.grouped);
  assert.equal(t.params, ["lr"]);
  assert.equal(t.metrics, ["a", "b"]);
  assert.equal(
    t.columns.map((c) => c.name),
    ["trials", "lr", "n", "a", "b"],
  );
  assert.equal(
    t.rows.map((r) => r.trials),
    [
      [1, 3, 5],
      [2, 4, 6],
    ],
  );
  assert.equal(
    t.rows.map((r) => r.params["lr"]),
    [1e-5, 1e-4],
  );
  const [g1, g2] = t.rows;
  close(g1!.metrics["a"]!.mean, 0.5, "a mean lr=1e-5");
  close(g1!.metrics["a"]!.se, 0.2081665999466133, "a se lr=1e-5");
  // b: (10, 14) → mean 12, s = √8, SE = √8/√2 = 2
  close(g1!.metrics["b"]!.mean, 12, "b mean");
  close(g1!.metrics["b"]!.se, 2, "b se");
  assert.is(g1!.metrics["b"]!.count, 2);
  // a: (0.1, 0.3) with the null ignored → mean 0.2, SE = 0.1414214/√2 = 0.1
  close(g2!.metrics["a"]!.mean, 0.2, "a mean lr=1e-4");
  close(g2!.metrics["a"]!.se, 0.1, "a se lr=1e-4");
  close(g2!.metrics["b"]!.se, 0, "b se constant");
});

test("not grouped without a swept seed, or when asked", () => {
  const plain = resultsTable(trials, ["lr"], metrics);
  assert.not.ok(plain.grouped);
  assert.is(plain.rows.length, 6);
  const flat = resultsTable(trials, ["lr", "seed"], metrics, { group: false });
  assert.equal(
    flat.columns.map((c) => c.name),
    ["trial", "lr", "seed", "a", "b"],
  );
  assert.equal(flat.rows[0]!.metrics["b"], { mean: null, se: null, count: 0 });
  assert.equal(flat.rows[4]!.metrics["a"], { mean: 0.9, se: null, count: 1 });
});

/** An RFC 4180 reader written independently of toCsv: quoted fields, doubled quotes, CRLF. */
function parseCsv(s: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [],
    f = "",
    q = false;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (q) {
      if (ch === '"' && s[i + 1] === '"') {
        f += '"';
        i++;
      } else if (ch === '"') q = false;
      else f += ch;
    } else if (ch === '"') q = true;
    else if (ch === ",") {
      row.push(f);
      f = "";
    } else if (ch === "\r" && s[i + 1] === "\n") {
      row.push(f);
      rows.push(row);
      row = [];
      f = "";
      i++;
    } else f += ch;
  }
  assert.is(f + row.join(""), "", "CSV ends with CRLF");
  return rows;
}

test("CSV: quoting, mean and .se columns, .n where values are missing", () => {
  const withTag = resultsTable(trials, ["lr", "tag", "seed"], metrics);
  const csv = toCsv(withTag);
  assert.ok(csv.includes('"he said ""hi"", ok"'), csv);
  assert.ok(csv.includes('"1,3,5"'), csv);
  const rows = parseCsv(csv);
  assert.equal(rows[0], ["trials", "lr", "tag", "n", "a", "a.se", "a.n", "b", "b.se", "b.n"]);
  assert.equal(rows[1]!.slice(0, 4), ["1,3,5", "0.00001", 'he said "hi", ok', "3"]);
  const n = (s: string) => Number(s);
  close(n(rows[1]![4]!), 0.5, "csv a");
  close(n(rows[1]![5]!), Math.sqrt(0.13 / 3), "csv a.se");
  assert.is(rows[1]![6], "3");
  assert.equal(rows[1]!.slice(7), ["12", "2", "2"]);
  assert.is(rows[2]![6], "2");
  const flat = parseCsv(toCsv(resultsTable(trials, ["lr", "seed"], metrics, { group: false })));
  assert.equal(flat[0], ["trial", "lr", "seed", "a", "b"]);
  assert.equal(flat[1], ["1", "0.00001", "0", "0.2", ""]);
  assert.equal(flat[6], ["6", "0.0001", "2", "", "20"]);
});

test("CSV: object params are JSON, null params empty", () => {
  const ts: TrialInfo[] = [{ index: 0, params: { opt: { lr: 1, betas: [0.9, 0.99] } as Json, x: null }, stages: {} }];
  const rows = parseCsv(toCsv(resultsTable(ts, ["opt", "x"], new Map([[1, { m: 1 }]]))));
  assert.equal(rows[1], ["1", '{"lr":1,"betas":[0.9,0.99]}', "", "1"]);
});

test("formatTable: fractions ×100 with one decimal, ± SE, counts when they differ, aligned columns", () => {
  const out = formatTable(resultsTable(trials, ["lr", "seed"], metrics), { color: false });
  assert.equal(out.split("\n"), [
    "metrics in % (except b); mean ± standard error over seeds",
    "trials  lr       n                  a             b",
    "1,3,5   0.00001  3        50.0 ± 20.8  12 ± 2 (n=2)",
    "2,4,6   0.0001   3  20.0 ± 10.0 (n=2)        20 ± 0",
    "",
  ]);
  const flat = formatTable(resultsTable(trials, ["lr", "seed"], metrics, { group: false }), { color: false });
  assert.match(flat, /metrics in % \(except b\)\n/);
  assert.match(flat, /\n    1  0\.00001  0     20\.0   —\n/);
  assert.is(formatTable(resultsTable([], [], new Map()), { color: false }), "");
});

// Two trials of a λ sweep with a real run's long metric names: 125 columns one row per trial.
const sweep: TrialInfo[] = [0, 0.5].map((lambda, i) => ({ index: i, params: { lambda }, stages: {} }));
const long = new Map<number, Metrics>([
  [
    1,
    {
      "teacher_regions.box.thing.top1": 0.1616,
      "teacher_spatial.pixel_accuracy": 0.5612,
      "regions.mask.stuff.top5": 0.8557,
      "spatial.miou": 0.3676,
    },
  ],
  [
    2,
    {
      "teacher_regions.box.thing.top1": 0.1616,
      "teacher_spatial.pixel_accuracy": 0.5612,
      "regions.mask.stuff.top5": null,
      "spatial.miou": 0.3678,
      seconds: 12.5,
    },
  ],
]);

test("formatTable: too wide for 100 columns → one row per metric in first-appearance order, one column per trial", () => {
  const out = formatTable(resultsTable(sweep, ["lambda"], long), { color: false });
  assert.equal(out.split("\n"), [
    "metrics in % (except seconds)",
    "                                trial 1  trial 2",
    "lambda                                0      0.5",
    "teacher_regions.box.thing.top1     16.2     16.2",
    "teacher_spatial.pixel_accuracy     56.1     56.1",
    "regions.mask.stuff.top5            85.6        —",
    "spatial.miou                       36.8     36.8",
    "seconds                               —     12.5",
    "",
  ]);
  // Wide enough for the 125-column layout: one row per trial again.
  const wide = formatTable(resultsTable(sweep, ["lambda"], long), { color: false, width: 125 }).split("\n");
  assert.is(
    wide[1],
    "trial  lambda  teacher_regions.box.thing.top1  teacher_spatial.pixel_accuracy  regions.mask.stuff.top5  spatial.miou  seconds",
  );
  assert.is(
    wide[3],
    "    2  0.5                               16.2                            56.1                        —          36.8     12.5",
  );
});

test("formatTable: transposed groups carry their trials and n; columns that do not fit split into blocks", () => {
  const table = resultsTable(trials, ["lr", "seed"], metrics);
  // One row per group is 51 columns wide.
  assert.equal(formatTable(table, { color: false, width: 50 }).split("\n"), [
    "metrics in % (except b); mean ± standard error over seeds",
    "    trials 1,3,5       trials 2,4,6",
    "lr       0.00001             0.0001",
    "n              3                  3",
    "a    50.0 ± 20.8  20.0 ± 10.0 (n=2)",
    "b   12 ± 2 (n=2)             20 ± 0",
    "",
  ]);
  // 35 columns transposed; at 30 each group gets its own block, names repeated.
  assert.equal(formatTable(table, { color: false, width: 30 }).split("\n"), [
    "metrics in % (except b); mean ± standard error over seeds",
    "    trials 1,3,5",
    "lr       0.00001",
    "n              3",
    "a    50.0 ± 20.8",
    "b   12 ± 2 (n=2)",
    "",
    "         trials 2,4,6",
    "lr             0.0001",
    "n                   3",
    "a   20.0 ± 10.0 (n=2)",
    "b              20 ± 0",
    "",
  ]);
  // Colour wraps padded text, so it never moves a column.
  const ansi = /\x1b\[[0-9;]*m/g;
  for (const width of [100, 50, 30]) {
    const coloured = formatTable(table, { color: true, width });
    assert.match(coloured, ansi);
    assert.is(coloured.replace(ansi, ""), formatTable(table, { color: false, width }));
  }
});

test.run();
