// The report page: one self-contained HTML file (inline CSS, a few lines of inline JS for sorting
// and expanding rows, inline SVG plots), no request of any kind, readable from file://.
import { classifyTokens } from "../../lang/highlight.ts";
import { resultsTable, type ResultsTable } from "../events/results.ts";
import type { Chart } from "./charts.ts";
import { constantMetrics, type ReportData } from "./report-data.ts";

const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

function sourceHtml(text: string): string {
  let out = "",
    at = 0;
  for (const t of classifyTokens(text)) {
    out += esc(text.slice(at, t.start));
    out +=
      t.cls === "name" || t.cls === "punctuation"
        ? esc(text.slice(t.start, t.end))
        : `<span class="t-${t.cls}">${esc(text.slice(t.start, t.end))}</span>`;
    at = t.end;
  }
  return out + esc(text.slice(at));
}

const pct = (v: number | null) => (v === null ? "—" : (v * 100).toFixed(1));

function resultsHtml(d: ReportData): string {
  // Metrics equal in every trial (a shared teacher's bench) go in one line, not in every row.
  const constant = constantMetrics(d.trials);
  const varying = (m: Readonly<Record<string, number | null>>) =>
    Object.fromEntries(Object.entries(m).filter(([k]) => !constant.has(k)));
  const metrics = new Map(d.trials.map((t) => [t.trial, varying(t.metrics)]));
  const infos = d.trials.map((t) => ({ index: t.trial - 1, params: t.params, stages: {} }));
  const table: ResultsTable = resultsTable(infos, d.swept, metrics);
  const same = constant.size
    ? `<p>Same in every trial: ${[...constant].map(([m, v]) => `<span class="const">${esc(m)} <b>${pct(v)}</b></span>`).join(", ")}</p>`
    : "";
  if (!table.rows.length) return `<p class="muted">The run has no trials.</p>`;
  const best = new Map(
    table.metrics.map((m) => [m, Math.max(...table.rows.map((r) => r.metrics[m]?.mean ?? Number.NEGATIVE_INFINITY))]),
  );
  const failures = new Map(d.trials.map((t) => [t.trial, t.failures]));
  const head = table.columns.map((c, i) => `<th data-col="${i}" class="${c.kind}">${esc(c.name)}</th>`).join("");
  const rows = table.rows.map((r) => {
    const cells = table.columns.map((c) => {
      if (c.kind === "trial" || c.kind === "trials") return `<td data-v="${r.trials[0]}">${r.trials.join(", ")}</td>`;
      if (c.kind === "n") return `<td data-v="${r.n}">${r.n}</td>`;
      if (c.kind === "param")
        return `<td data-v="${esc(JSON.stringify(r.params[c.name]))}">${esc(JSON.stringify(r.params[c.name]))}</td>`;
      const s = r.metrics[c.name]!;
      const isBest = s.mean !== null && s.mean === best.get(c.name) && table.rows.length > 1;
      const se = s.se === null ? "" : ` <span class="se">± ${(s.se * 100).toFixed(1)}</span>`;
      return `<td data-v="${s.mean ?? ""}" class="num${isBest ? " best" : ""}">${pct(s.mean)}${se}</td>`;
    });
    const failed = r.trials.flatMap((t) => failures.get(t) ?? []);
    const fail = failed.length
      ? `<tr class="failure"><td colspan="${table.columns.length}">failed: ${esc(failed.join("; "))}</td></tr>`
      : "";
    const seeds =
      table.grouped && r.n > 1
        ? r.trials
            .map((t) => {
              const m = metrics.get(t) ?? {};
              return `<tr class="seed" hidden><td>${t}</td>${table.columns
                .slice(1)
                .map((c) => (c.kind === "metric" ? `<td class="num">${pct(m[c.name] ?? null)}</td>` : "<td></td>"))
                .join("")}</tr>`;
            })
            .join("")
        : "";
    return `<tbody><tr class="row${failed.length ? " failed" : ""}${seeds ? " expandable" : ""}">${cells.join("")}</tr>${seeds}${fail}</tbody>`;
  });
  const note = table.grouped ? `<p class="muted">Mean ± standard error over seeds; click a row for its seeds.</p>` : "";
  return `${note}${same}<div class="scroll"><table id="results" class="sortable"><thead><tr>${head}</tr></thead>${rows.join("")}</table></div>
<p class="muted">Metrics in %. Click a column to sort; the best value per metric is marked.</p>`;
}

function chartsHtml(charts: readonly Chart[], empty: string): string {
  if (!charts.length) return `<p class="muted">${esc(empty)}</p>`;
  return charts
    .map(
      (c) =>
        `<figure class="chart" data-points="${c.points}"><figcaption>${esc(c.title)}</figcaption>${c.svg}</figure>`,
    )
    .join("\n");
}

function provenanceHtml(d: ReportData): string {
  const rows = d.stages.map((s) => {
    const fields = s.fields
      ? `<details><summary>key fields</summary><dl>${Object.entries(s.fields)
          .map(
            ([k, f]) =>
              `<dt>${esc(k)}</dt><dd><code>${esc(JSON.stringify(f.value))}</code><br><span class="muted">${esc(f.why)}</span></dd>`,
          )
          .join("")}</dl></details>`
      : `<span class="muted">${s.status === "done" || s.status === "cached" ? "entry no longer in the cache" : ""}</span>`;
    const entry = s.entry ? `<a href="file://${encodeURI(s.entry)}">entry</a>` : "";
    return `<tr class="${s.status}"><td>${esc(s.info.name)}</td><td>${s.info.trials.join(", ")}</td><td>${s.status}${
      s.message ? `: ${esc(s.message)}` : ""
    }</td><td><code>${s.info.key.slice(0, 12)}</code></td><td class="num">${s.seconds === null ? "—" : s.seconds.toFixed(1)}</td><td>${fields}</td><td>${entry}</td></tr>`;
  });
  return `<div class="scroll"><table id="provenance"><thead><tr><th>stage</th><th>trials</th><th>status</th><th>key</th><th>seconds</th><th>why this key</th><th></th></tr></thead><tbody>${rows.join("")}</tbody></table></div>`;
}

const CSS = `
body{font:14px/1.45 system-ui,sans-serif;margin:0 auto;max-width:1200px;padding:16px;color:#222;background:#fff}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd}
.muted{color:#777}.scroll{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;font-size:13px}th,td{padding:3px 8px;border-bottom:1px solid #eee;text-align:left;vertical-align:top}
th{cursor:pointer;background:#fafafa;position:sticky;top:0}td.num{text-align:right;font-variant-numeric:tabular-nums}
td.best{font-weight:700;background:#eaf6ea}.se{color:#888;font-size:11px}
tr.failed td,tr.failure td,tr.failed td{background:#fdecec}tr.failure td{color:#a00;font-size:12px}
tr.expandable{cursor:pointer}tr.seed td{color:#666;font-size:12px}
pre.source{background:#f7f7f7;padding:10px;overflow-x:auto;font:12px/1.4 ui-monospace,monospace}
.t-keyword{color:#8250df;font-weight:600}.t-number{color:#0550ae}.t-string{color:#0a3069}.t-comment{color:#6e7781;font-style:italic}.t-error{color:#c00}
figure.chart{margin:12px 0;overflow-x:auto}figure.chart svg{max-width:100%;height:auto}figcaption{font-weight:600;margin-bottom:4px}
table.pictures td{text-align:center;font-size:11px;border:none;padding:2px}table.pictures th.model{font-weight:400;font-size:12px;max-width:160px;cursor:default;background:none}table.pictures img{width:96px;height:96px;object-fit:contain;image-rendering:pixelated}
h3{font-size:14px;margin:14px 0 4px}
.facts{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;font-size:13px}
`;

const JS = `
for (const th of document.querySelectorAll("table.sortable th")) th.addEventListener("click", () => {
  const table = th.closest("table"), col = +th.dataset.col, dir = th.dataset.dir === "asc" ? -1 : 1;
  th.dataset.dir = dir > 0 ? "asc" : "desc";
  const bodies = [...table.tBodies].sort((a, b) => {
    const x = a.rows[0].cells[col].dataset.v, y = b.rows[0].cells[col].dataset.v;
    const nx = parseFloat(x), ny = parseFloat(y);
    return (isNaN(nx) || isNaN(ny) ? String(x).localeCompare(String(y)) : nx - ny) * dir;
  });
  for (const b of bodies) table.appendChild(b);
});
document.getElementById("logscale")?.addEventListener("change", (e) => {
  document.querySelector("div.linear").hidden = e.target.checked;
  document.querySelector("div.log").hidden = !e.target.checked;
});
for (const tr of document.querySelectorAll("tr.expandable")) tr.addEventListener("click", () => {
  for (const s of tr.parentElement.querySelectorAll("tr.seed")) s.hidden = !s.hidden;
});
`;

export function reportHtml(
  d: ReportData,
  charts: { sweep: readonly Chart[]; curves: readonly Chart[]; curvesLog: readonly Chart[] },
  pictures: string,
): string {
  const env = d.environment;
  const cached = d.stages.filter((s) => s.status === "cached").length;
  const facts: [string, string][] = [
    ["file", d.file],
    ["run", `${d.summary.id} (${d.summary.status})`],
    ["started", d.summary.started],
    ["wall time", d.summary.seconds === null ? "—" : `${d.summary.seconds.toFixed(1)} s`],
    ["trials", `${d.trials.length} (${d.trials.filter((t) => !t.ok).length} not complete)`],
    ["stages", `${d.stages.length} distinct, ${cached} from the cache`],
    ["scdx", String(env["scdx"] ?? "?")],
    ["backend", String(env["backend"] ?? "?")],
    ["host", `${env["host"] ?? "?"} (${env["platform"] ?? ""}, ${env["cpus"] ?? "?"} CPUs)`],
  ];
  const sources = Object.entries(d.sources);
  const missing = d.missing.length
    ? `<p class="failure">Cache entries of ${d.missing.length} stage(s) are no longer in the cache (collected?): ${esc(d.missing.join(", "))}. Their curves and key fields are missing below.</p>`
    : "";
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<title>${esc(d.summary.experiment)} — scdx report</title><style>${CSS}</style></head>
<body>
<h1>${esc(d.summary.experiment)}</h1>
<div class="facts">${facts.map(([k, v]) => `<span class="muted">${k}</span><span>${esc(v)}</span>`).join("")}</div>
${missing}
<h2>Results</h2>
${resultsHtml(d)}
<h2>Sweep</h2>
${chartsHtml(charts.sweep, d.swept.length ? "No swept numeric param has metrics yet." : "This run sweeps nothing.")}
<h2>Training</h2>
${charts.curves.length ? `<label><input type="checkbox" id="logscale"> logarithmic y axes</label>` : ""}
<div class="linear">${chartsHtml(charts.curves, "No train stage has a recorded curve.")}</div>
<div class="log" hidden>${chartsHtml(charts.curvesLog, "")}</div>
<h2>Dense features</h2>
${pictures}
<h2>Provenance</h2>
${provenanceHtml(d)}
<h2>Source</h2>
${sources.length ? sources.map(([f, t]) => `<details${f === sources[0]![0] ? " open" : ""}><summary>${esc(f)}</summary><pre class="source">${sourceHtml(t)}</pre></details>`).join("\n") : `<p class="muted">This run predates source snapshots.</p>`}
<script>${JS}</script>
</body></html>
`;
}
