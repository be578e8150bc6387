// The report's plots as Vega-Lite specifications, rendered to SVG in Node by Vega (no browser, no
// network, no hand-written SVG): metric-vs-param sweep plots with error bars over seeds, and
// training curves (loss, each term, learning rate) per train stage with one colour per trial.
import { constantMetrics, type ReportData } from "./report-data.ts";

type Row = Record<string, string | number | null>;
type Spec = Record<string, unknown>;

export interface Chart {
  readonly title: string;
  readonly svg: string;
  /** Data points drawn (the browser test compares them with the run's files). */
  readonly points: number;
}

const FONT = { font: "system-ui, sans-serif", labelFont: "system-ui, sans-serif", titleFont: "system-ui, sans-serif" };

async function render(spec: Spec): Promise<string> {
  const [vega, vl] = await Promise.all([import("vega"), import("vega-lite")]);
  const compiled = vl.compile({ $schema: "https://vega.github.io/schema/vega-lite/v6.json", ...spec } as never).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: "none" });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}

const label = (params: Readonly<Record<string, unknown>>, keys: readonly string[]) =>
  keys.length ? keys.map((k) => `${k}=${JSON.stringify(params[k])}`).join(", ") : "all";

/**
 * Whether the sweep drew its points (random search) rather than laying them on a grid: no value of
 * any swept param repeats across the trials of one seed. Such points get a scatter per param,
 * coloured by nothing else (every other param varies too), instead of lines.
 */
export function isRandomSweep(d: ReportData): boolean {
  const swept = d.swept.filter((p) => p !== "seed");
  const firstSeed = d.trials.filter((t) => t.params["seed"] === d.trials[0]?.params["seed"]);
  return (
    firstSeed.length >= 4 &&
    swept.some((p) => new Set(firstSeed.map((t) => JSON.stringify(t.params[p]))).size === firstSeed.length)
  );
}

/** One chart per swept param (seed excluded): every metric against it, lines per other params. */
export async function sweepCharts(d: ReportData): Promise<Chart[]> {
  const swept = d.swept.filter((p) => p !== "seed");
  const constant = constantMetrics(d.trials); // flat lines say nothing; the table lists them
  const scatter = isRandomSweep(d);
  const out: Chart[] = [];
  for (const p of swept) {
    const others = scatter ? [] : swept.filter((q) => q !== p);
    const rows: Row[] = [];
    for (const t of d.trials)
      for (const [metric, value] of Object.entries(t.metrics))
        if (typeof value === "number" && typeof t.params[p] === "number" && !constant.has(metric))
          rows.push({ x: t.params[p] as number, metric, value: value * 100, series: label(t.params, others) });
    if (!rows.length) continue;
    const svg = await render({
      data: { values: rows },
      config: FONT,
      facet: { field: "metric", type: "nominal", title: null },
      columns: 3,
      resolve: { scale: { y: "independent" } },
      spec: {
        width: 220,
        height: 140,
        layer: scatter
          ? [
              {
                mark: { type: "point", filled: true, opacity: 0.8 },
                encoding: {
                  x: { field: "x", type: "quantitative", title: p, scale: { zero: false } },
                  y: { field: "value", type: "quantitative", title: "%", scale: { zero: false } },
                },
              },
            ]
          : [
              {
                mark: { type: "errorbar", extent: "stderr" },
                encoding: {
                  x: { field: "x", type: "quantitative", title: p },
                  y: { field: "value", type: "quantitative", title: "%", scale: { zero: false } },
                  color: { field: "series", type: "nominal", title: others.join(", ") || null },
                },
              },
              {
                mark: { type: "line", point: true },
                encoding: {
                  x: { field: "x", type: "quantitative" },
                  y: { field: "value", type: "quantitative", aggregate: "mean" },
                  color: { field: "series", type: "nominal" },
                },
              },
            ],
      },
    });
    out.push({ title: `metrics vs ${p}${scatter ? " (random search)" : ""}`, svg, points: rows.length });
  }
  return out;
}

/**
 * Three or more swept params: one parallel-coordinates plot, an axis per swept param and per
 * varying metric (each scaled to its own min…max), one line per trial coloured by the first metric.
 * Folded here rather than in Vega-Lite: metric names contain dots, which Vega reads as nesting.
 */
export async function parallelChart(d: ReportData): Promise<Chart[]> {
  const swept = d.swept.filter((p) => p !== "seed");
  if (swept.length < 3) return [];
  const constant = constantMetrics(d.trials);
  const metrics = [...new Set(d.trials.flatMap((t) => Object.keys(t.metrics)))].filter((m) => !constant.has(m));
  const dims = [...swept, ...metrics];
  const value = (t: ReportData["trials"][number], dim: string): number | null => {
    const v = swept.includes(dim) ? t.params[dim] : t.metrics[dim];
    return typeof v === "number" ? v : null;
  };
  const range = new Map(
    dims.map((dim) => {
      const vs = d.trials.map((t) => value(t, dim)).filter((v): v is number => v !== null);
      return [dim, [Math.min(...vs), Math.max(...vs)] as const];
    }),
  );
  const colour = metrics[0];
  const rows: Row[] = [];
  for (const t of d.trials)
    for (const dim of dims) {
      const v = value(t, dim);
      if (v === null) continue;
      const [lo, hi] = range.get(dim)!;
      rows.push({
        trial: t.trial,
        dim,
        v,
        norm: hi === lo ? 0.5 : (v - lo) / (hi - lo),
        colour: colour ? (t.metrics[colour] ?? null) : null,
      });
    }
  if (!rows.length) return [];
  const svg = await render({
    data: { values: rows },
    config: FONT,
    width: Math.max(300, 90 * dims.length),
    height: 220,
    mark: { type: "line", opacity: 0.7, point: true },
    encoding: {
      x: { field: "dim", type: "nominal", sort: dims, title: null, axis: { labelAngle: -30 } },
      y: { field: "norm", type: "quantitative", axis: null },
      detail: { field: "trial", type: "nominal" },
      color: colour ? { field: "colour", type: "quantitative", title: colour } : { value: "#4c78a8" },
      tooltip: [{ field: "trial" }, { field: "dim" }, { field: "v" }],
    },
  });
  return [{ title: `all swept params and varying metrics (each axis min…max)`, svg, points: rows.length }];
}

/**
 * One chart per train stage name: loss, each term and the learning rate against the step. With
 * `log`, the y axes are logarithmic (the page shows one or the other: a static SVG cannot rescale).
 */
export async function curveCharts(d: ReportData, log = false): Promise<Chart[]> {
  const names = [...new Set(d.stages.filter((s) => s.info.kind === "train").map((s) => s.info.name))];
  const out: Chart[] = [];
  for (const name of names) {
    const rows: Row[] = [];
    for (const s of d.stages.filter((x) => x.info.name === name)) {
      const who = `trial ${s.info.trials.join("+")}`;
      for (const pt of s.curve) {
        rows.push({ step: pt.step, series: "loss", value: pt.loss, trial: who });
        for (const [term, v] of Object.entries(pt.terms))
          rows.push({ step: pt.step, series: term, value: v, trial: who });
        rows.push({ step: pt.step, series: "learning rate", value: pt.lr, trial: who });
      }
    }
    if (!rows.length) continue;
    const svg = await render({
      data: { values: rows },
      config: FONT,
      facet: { field: "series", type: "nominal", title: null, sort: ["loss"] },
      columns: 3,
      resolve: { scale: { y: "independent" } },
      spec: {
        width: 220,
        height: 140,
        mark: { type: "line", strokeWidth: 1.2 },
        encoding: {
          x: { field: "step", type: "quantitative" },
          y: { field: "value", type: "quantitative", title: null, scale: log ? { type: "symlog" } : { zero: false } },
          color: { field: "trial", type: "nominal", title: null },
        },
      },
    });
    out.push({ title: `${name}: training curves`, svg, points: rows.length });
  }
  return out;
}
