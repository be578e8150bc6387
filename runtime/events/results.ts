// The results table of a run: one row per trial, or, when trials differ only in `seed`, one row per
// group with each metric's mean ± standard error over the seeds. Raw values go to CSV and JSON;
// the terminal form shows fractions as percentages, which is how the paper's tables read.
import { Chalk } from "chalk";
import { canonicalJson, type Json } from "../../core/ir.ts";
import { showJson } from "../../lang/values.ts";
import type { Metrics, TrialInfo } from "./events.ts";

export interface ResultColumn {
  readonly name: string;
  /** `trial`: the trial number (per-trial table); `trials`, `n`: the group's trials and size. */
  readonly kind: "trial" | "trials" | "n" | "param" | "metric";
}

/** A metric's value in a row: the trial's value, or the group's mean and standard error. */
export interface Stat {
  readonly mean: number | null;
  /** Sample standard deviation / √count; null below two values. */
  readonly se: number | null;
  /** Non-null values that went into `mean`. */
  readonly count: number;
}

export interface ResultRow {
  /** 1-based trial numbers in the row (one unless grouped). */
  readonly trials: readonly number[];
  readonly params: Readonly<Record<string, Json>>;
  readonly n: number;
  readonly metrics: Readonly<Record<string, Stat>>;
}

export interface ResultsTable {
  readonly grouped: boolean;
  readonly params: readonly string[];
  readonly metrics: readonly string[];
  readonly columns: readonly ResultColumn[];
  readonly rows: readonly ResultRow[];
}

/**
 * `metrics` is keyed by 1-based trial number (TrialInfo.index + 1). Grouping happens when `seed`
 * is swept, unless `opts.group` is false.
 */
export function resultsTable(
  trials: readonly TrialInfo[],
  swept: readonly string[],
  metrics: ReadonlyMap<number, Metrics>,
  opts: { group?: boolean } = {},
): ResultsTable {
  const names: string[] = [];
  const seen = new Set<string>();
  for (const t of trials)
    for (const m of Object.keys(metrics.get(t.index + 1) ?? {}))
      if (!seen.has(m)) {
        seen.add(m);
        names.push(m);
      }
  const grouped = (opts.group ?? true) && swept.includes("seed");
  const params = grouped ? swept.filter((p) => p !== "seed") : [...swept];
  const groups = new Map<string, TrialInfo[]>();
  for (const t of trials) {
    const id = grouped ? canonicalJson(params.map((p) => t.params[p] ?? null)) : String(t.index);
    const g = groups.get(id);
    if (g) g.push(t);
    else groups.set(id, [t]);
  }
  const rows = [...groups.values()].map(
    (g): ResultRow => ({
      trials: g.map((t) => t.index + 1),
      params: Object.fromEntries(params.map((p) => [p, g[0]!.params[p] ?? null])),
      n: g.length,
      metrics: Object.fromEntries(names.map((m) => [m, stat(g.map((t) => metrics.get(t.index + 1)?.[m] ?? null))])),
    }),
  );
  const columns: ResultColumn[] = [
    grouped ? { name: "trials", kind: "trials" } : { name: "trial", kind: "trial" },
    ...params.map((name) => ({ name, kind: "param" as const })),
    ...(grouped ? [{ name: "n", kind: "n" as const }] : []),
    ...names.map((name) => ({ name, kind: "metric" as const })),
  ];
  return { grouped, params, metrics: names, columns, rows };
}

export function stat(values: readonly (number | null)[]): Stat {
  const xs = values.filter((v): v is number => v !== null && Number.isFinite(v));
  const count = xs.length;
  if (count === 0) return { mean: null, se: null, count };
  const mean = xs.reduce((a, b) => a + b, 0) / count;
  if (count < 2) return { mean, se: null, count };
  const variance = xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (count - 1);
  return { mean, se: Math.sqrt(variance / count), count };
}

// ---- CSV ----

/**
 * RFC 4180: CRLF line ends, fields with `,` `"` CR or LF quoted, quotes doubled. Grouped tables get
 * `<metric>` (mean) and `<metric>.se`, plus `<metric>.n` where some group has fewer values than trials.
 */
export function toCsv(table: ResultsTable): string {
  const partial = new Set(table.metrics.filter((m) => table.rows.some((r) => r.metrics[m]!.count !== r.n)));
  const head: string[] = [];
  for (const c of table.columns) {
    if (c.kind !== "metric" || !table.grouped) head.push(c.name);
    else head.push(c.name, `${c.name}.se`, ...(partial.has(c.name) ? [`${c.name}.n`] : []));
  }
  const lines = [head];
  for (const r of table.rows) {
    const cells: string[] = [];
    for (const c of table.columns) {
      if (c.kind === "trial") cells.push(String(r.trials[0]));
      else if (c.kind === "trials") cells.push(r.trials.join(","));
      else if (c.kind === "n") cells.push(String(r.n));
      else if (c.kind === "param") cells.push(csvParam(r.params[c.name] ?? null));
      else {
        const s = r.metrics[c.name]!;
        cells.push(num(s.mean));
        if (table.grouped) cells.push(num(s.se), ...(partial.has(c.name) ? [String(s.count)] : []));
      }
    }
    lines.push(cells);
  }
  return lines.map((l) => l.map(csvField).join(",")).join("\r\n") + "\r\n";
}

function csvParam(v: Json): string {
  return v === null ? "" : typeof v === "object" ? JSON.stringify(v) : String(v);
}

function num(v: number | null): string {
  return v === null ? "" : String(v);
}

export function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

// ---- terminal ----

/** A metric column is shown in % when every value in it is a fraction in [0, 1]. */
function isFraction(table: ResultsTable, m: string): boolean {
  const vs = table.rows.map((r) => r.metrics[m]!.mean).filter((v): v is number => v !== null);
  return vs.length > 0 && vs.every((v) => v >= 0 && v <= 1);
}

export interface FormatOptions {
  readonly color: boolean;
  /** Terminal columns the table must fit in (default 100). */
  readonly width?: number;
}

/**
 * One row per trial (or group) when that fits in `width`; otherwise transposed — one row per metric,
 * one column per trial — since a real study has a dozen long metric names and only a few trials.
 * Transposed columns that still do not fit are split into blocks, each repeating the names.
 */
export function formatTable(table: ResultsTable, opts: FormatOptions): string {
  const c = new Chalk({ level: opts.color ? 1 : 0 });
  if (!table.rows.length) return "";
  const width = opts.width ?? 100;
  const pct = new Set(table.metrics.filter((m) => isFraction(table, m)));
  const cells = table.rows.map((r) => table.columns.map((col) => cell(table, r, col, pct)));
  const notes: string[] = [];
  if (pct.size) {
    const other = table.metrics.filter((m) => !pct.has(m));
    notes.push(`metrics in %${other.length ? ` (except ${other.join(", ")})` : ""}`);
  }
  if (table.grouped) notes.push("mean ± standard error over seeds");
  const head = notes.length ? c.dim(notes.join("; ")) + "\n" : "";

  const heads = table.columns.map((col) => col.name);
  const right = table.columns.map((col) => col.kind === "metric" || col.kind === "n" || col.kind === "trial");
  const wide = aligned([heads, ...cells], right);
  if (Math.max(...wide.map((l) => l.length)) <= width) {
    return (
      head +
      c.bold(wide[0]!) +
      "\n" +
      wide
        .slice(1)
        .map((l) => l + "\n")
        .join("")
    );
  }

  // Transposed: column 0 names the row, then one right-aligned column per trial or group.
  const byName = new Map(table.columns.map((col, i) => [col.name, i]));
  const names = [...table.params, ...(table.grouped ? ["n"] : []), ...table.metrics];
  const top = ["", ...table.rows.map((r) => (table.grouped ? `trials ${r.trials.join(",")}` : `trial ${r.trials[0]}`))];
  const lines = [top, ...names.map((name) => [name, ...cells.map((r) => r[byName.get(name)!]!)])];
  const widths = top.map((_, i) => Math.max(...lines.map((l) => l[i]!.length)));
  const blocks: number[][] = [];
  let used = Infinity;
  for (let i = 1; i < top.length; i++) {
    if (used + 2 + widths[i]! > width) {
      blocks.push([]);
      used = widths[0]!;
    }
    blocks[blocks.length - 1]!.push(i);
    used += 2 + widths[i]!;
  }
  return (
    head +
    blocks
      .map((cols) => {
        const part = aligned(
          lines.map((l) => [l[0]!, ...cols.map((i) => l[i]!)]),
          [false, ...cols.map(() => true)],
        );
        return (
          c.bold(part[0]!) +
          "\n" +
          part
            .slice(1)
            .map((l) => l + "\n")
            .join("")
        );
      })
      .join("\n")
  );
}

function cell(table: ResultsTable, r: ResultRow, col: ResultColumn, pct: ReadonlySet<string>): string {
  if (col.kind === "trial") return String(r.trials[0]);
  if (col.kind === "trials") return r.trials.join(",");
  if (col.kind === "n") return String(r.n);
  if (col.kind === "param") return showJson(r.params[col.name] ?? null);
  const s = r.metrics[col.name]!;
  const f = (v: number) => (pct.has(col.name) ? (v * 100).toFixed(1) : short(v));
  if (s.mean === null) return "—";
  let out = f(s.mean);
  if (table.grouped && s.se !== null) out += ` ± ${f(s.se)}`;
  if (table.grouped && s.count !== r.n) out += ` (n=${s.count})`;
  return out;
}

/** Lines of `rows` padded to common column widths, two spaces apart, trailing blanks trimmed. */
function aligned(rows: readonly (readonly string[])[], right: readonly boolean[]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) =>
    r
      .map((s, i) => (right[i] ? s.padStart(widths[i]!) : s.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd(),
  );
}

/** Four significant digits without exponent noise for ordinary magnitudes. */
function short(v: number): string {
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1e6 || a < 1e-3) return v.toExponential(2);
  return a >= 1000 ? v.toFixed(0) : String(Number(v.toPrecision(4)));
}
