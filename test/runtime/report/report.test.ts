// `scdx report` and `scdx runs` on a real run of test/fixtures/runtime/tiny.scd (a 2×2 λ/τ sweep,
// one trial failing on purpose), then the page opened in Debian's headless Chromium through
// puppeteer-core with every request other than file:// and data: refused: no console errors, no
// network, a table row per trial with results.json's values, drawn plot marks, one point per
// train.jsonl line, and no horizontal overflow at 1280 and 800 px.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { scdx } from "../../support/cli.ts";
import { repoRoot } from "../../support/golden.ts";

const CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].find(existsSync);
const dir = mkdtempSync(path.join(os.tmpdir(), "scdx-report-"));
const file = path.join(dir, "tiny.scd");
const cache = path.join(dir, "cache");
writeFileSync(path.join(dir, "package.json"), "{}\n"); // its own project: runs land in dir/.scdx/runs
copyFileSync(path.join(repoRoot, "test/fixtures/runtime/tiny.scd"), file);

/** The CLI with the temp project as the working directory. */
async function cli(...argv: string[]) {
  const cwd = process.cwd();
  process.chdir(dir);
  try {
    const { main } = await import("../../../runtime/cli/main.ts");
    let out = "",
      err = "";
    const code = await main(argv, { out: (s) => void (out += s), err: (s) => void (err += s), color: false, cwd: dir });
    return { code, out, err };
  } finally {
    process.chdir(cwd);
  }
}

let runDir = "";
let report = "";

test("a run, then `scdx runs` lists it and `scdx report` writes a page with the source snapshot", async () => {
  // from the repository (workers start there); the run directory lands in the study's own project
  const r = await scdx("run", file, "--cache", cache, "--reporter", "plain", "--jobs", "2");
  assert.is(r.code, 0, r.err + r.out);
  runDir = /^run dir (.+)$/m.exec(r.out)![1]!;
  const sources = JSON.parse(readFileSync(path.join(runDir, "sources.json"), "utf8")) as Record<string, string>;
  assert.equal(Object.values(sources), [readFileSync(file, "utf8")], "the source as it was run");
  const runs = await cli("runs");
  assert.match(runs.out, path.basename(runDir));
  assert.match(runs.out, /tiny\s+4\s+\d+\s+done/);
  const rep = await cli("report", "--out", path.join(dir, "report.html"));
  assert.is(rep.code, 0, rep.err);
  report = rep.out.trim();
  const html = readFileSync(report, "utf8");
  assert.not.match(html, /https?:\/\/(?!vega\.github\.io|www\.w3\.org)/, "no address the page could fetch");
  assert.match(html, '<span class="t-keyword">experiment</span>');
});

test("scdx results: sorted, cut, as JSON and CSV; an unknown metric is a usage error", async () => {
  const metric = "spatial.miou";
  const j = await cli("results", path.basename(runDir), "--sort", metric, "--asc", "--top", "3", "--format", "json");
  assert.is(j.code, 0, j.err);
  const table = JSON.parse(j.out) as { rows: { trials: number[]; metrics: Record<string, { mean: number }> }[] };
  assert.is(table.rows.length, 3);
  const means = table.rows.map((r) => r.metrics[metric]!.mean);
  assert.equal(
    means,
    [...means].sort((a, b) => a - b),
    "ascending",
  );
  const csv = await cli("results", path.basename(runDir), "--format", "csv");
  assert.is(csv.out.trim().split("\n").length, 1 + 4, "a header and a line per trial");
  const bad = await cli("results", path.basename(runDir), "--sort", "no.such");
  assert.is(bad.code, 2);
});

test("scdx status: every stage's state from the run's events", async () => {
  const r = await cli("status", path.basename(runDir), "--json");
  assert.is(r.code, 0, r.err);
  const j = JSON.parse(r.out) as { run: { status: string }; stages: { name: string; state: string; job?: string }[] };
  assert.is(j.run.status, "done");
  assert.is(j.stages.length, 9);
  assert.ok(
    j.stages.every((s) => s.state === "done" && s.job === undefined),
    JSON.stringify(j.stages),
  );
});

test("bad RUN arguments are one-line usage errors", async () => {
  const notRun = await scdx("report", path.join(repoRoot, "examples"));
  assert.is(notRun.code, 2);
  const unknown = await cli("report", "no-such-run");
  assert.is(unknown.code, 2);
  const fresh = mkdtempSync(path.join(os.tmpdir(), "scdx-empty-"));
  writeFileSync(path.join(fresh, "package.json"), "{}\n");
  mkdirSync(path.join(fresh, ".scdx", "runs"), { recursive: true });
  const cwd = process.cwd();
  process.chdir(fresh);
  try {
    const { main } = await import("../../../runtime/cli/main.ts");
    let err = "";
    const code = await main(["report"], { out: () => {}, err: (s) => void (err += s), color: false, cwd: fresh });
    assert.is(code, 2);
    assert.match(err, "no runs in");
  } finally {
    process.chdir(cwd);
    rmSync(fresh, { recursive: true, force: true });
  }
});

test("a run whose stage failed: the report lists each trial as failed with the message", async () => {
  const r = await scdx("run", file, "--set", "lr=1e6", "--cache", cache, "--reporter", "plain", "--jobs", "1");
  assert.is(r.code, 3, r.err + r.out);
  const failedRun = /^run dir (.+)$/m.exec(r.out)![1]!;
  const rep = await cli("report", path.basename(failedRun), "--out", path.join(dir, "failed.html"));
  assert.is(rep.code, 0, rep.err);
  const html = readFileSync(path.join(dir, "failed.html"), "utf8");
  assert.match(html, /<tr class="failure"><td colspan="\d+">failed: pretrain failed: [^<]*(NaN|Infinity)/);
  assert.match(html, "4 (4 not complete)");
});

test("entries collected since the run: a partial report that says which are missing", async () => {
  const { loadReport } = await import("../../../runtime/report/report-data.ts");
  const results = JSON.parse(readFileSync(path.join(runDir, "results.json"), "utf8")) as {
    stages: { name: string; key: string; entry: string }[];
  };
  const gone = results.stages.find((s) => s.name === "distill")!;
  const moved = `${gone.entry}.moved`;
  const { renameSync } = await import("node:fs");
  renameSync(gone.entry, moved);
  try {
    const d = loadReport(runDir);
    assert.equal(d.missing, [`distill (${gone.key.slice(0, 12)})`]);
    assert.is(d.stages.find((s) => s.info.key === gone.key)!.curve.length, 0);
  } finally {
    renameSync(moved, gone.entry);
  }
});

test("a run still going (no run-done, no results.json yet): reported from its events, marked running", async () => {
  const { loadReport } = await import("../../../runtime/report/report-data.ts");
  const going = mkdtempSync(path.join(os.tmpdir(), "scdx-going-"));
  try {
    for (const f of ["program.json", "environment.json", "sources.json"])
      copyFileSync(path.join(runDir, f), path.join(going, f));
    const lines = readFileSync(path.join(runDir, "events.jsonl"), "utf8").trim().split("\n");
    writeFileSync(path.join(going, "events.jsonl"), `${lines.filter((l) => !l.includes('"run-done"')).join("\n")}\n`);
    const d = loadReport(going);
    assert.is(d.summary.status, "running");
    const results = JSON.parse(readFileSync(path.join(runDir, "results.json"), "utf8")) as {
      trials: { metrics: Record<string, number> }[];
    };
    assert.equal(
      d.trials.map((t) => t.metrics),
      results.trials.map((t) => t.metrics),
      "metrics from trial-done events",
    );
  } finally {
    rmSync(going, { recursive: true, force: true });
  }
});

test("a run with no finished stage: a usage error saying so", async () => {
  const { loadReport } = await import("../../../runtime/report/report-data.ts");
  const { UsageError } = await import("../../../core/usage-error.ts");
  const fresh = mkdtempSync(path.join(os.tmpdir(), "scdx-unfinished-"));
  try {
    for (const f of ["program.json", "environment.json"]) copyFileSync(path.join(runDir, f), path.join(fresh, f));
    const start = readFileSync(path.join(runDir, "events.jsonl"), "utf8").split("\n")[0]!; // run-start only
    writeFileSync(path.join(fresh, "events.jsonl"), `${start}\n`);
    assert.throws(
      () => loadReport(fresh),
      (e: Error) => e instanceof UsageError && /no stage of this run has finished/.test(e.message),
    );
  } finally {
    rmSync(fresh, { recursive: true, force: true });
  }
});

if (!CHROMIUM) {
  test("report in a browser: SKIPPED — no chromium (.ci/run installs Debian's chromium)", () => {
    if (process.env["CI"]) assert.unreachable("CI must have chromium: .ci/run installs it");
  });
} else {
  test("the report in headless Chromium: no errors, no network, every trial, drawn plots, no overflow", async () => {
    const puppeteer = (await import("puppeteer-core")).default;
    const browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ["--no-sandbox", "--disable-gpu", "--no-first-run"],
    });
    try {
      const page = await browser.newPage();
      const errors: string[] = [],
        requests: string[] = [];
      page.on("console", (m) => void (m.type() === "error" && errors.push(m.text())));
      page.on("pageerror", (e) => void errors.push(String(e)));
      await page.setRequestInterception(true);
      page.on("request", (req) => {
        const u = req.url();
        if (u.startsWith("file://") || u.startsWith("data:")) void req.continue();
        else {
          requests.push(u);
          void req.abort();
        }
      });
      await page.setViewport({ width: 1280, height: 900 });
      await page.goto(`file://${report}`, { waitUntil: "load" });
      const results = JSON.parse(readFileSync(path.join(runDir, "results.json"), "utf8")) as {
        trials: { trial: number; metrics: Record<string, number> }[];
      };
      const table = await page.$$eval("#results tbody tr.row", (rows) =>
        rows.map((r) => [...r.querySelectorAll("td")].map((td) => td.getAttribute("data-v"))),
      );
      assert.is(table.length, results.trials.length, "one row per trial");
      const header = await page.$$eval("#results th", (th) => th.map((h) => h.textContent));
      let compared = 0;
      for (const [i, t] of results.trials.entries())
        for (const [m, v] of Object.entries(t.metrics))
          if (header.includes(m)) {
            assert.is(Number(table[i]![header.indexOf(m)]), v, `trial ${t.trial} ${m}`);
            compared++;
          }
      assert.ok(compared >= results.trials.length, "the table shows the trials' metrics");
      const charts = await page.$$eval("figure.chart", (fs) =>
        fs.map((f) => ({
          points: Number(f.getAttribute("data-points")),
          title: f.querySelector("figcaption")!.textContent,
          marks: [...f.querySelectorAll("path")].filter((p) => (p.getAttribute("d") ?? "").length > 10).length,
        })),
      );
      assert.ok(
        charts.length >= 4,
        `sweep plots for λ and τ and curves for pretrain and distill: ${charts.map((c) => c.title)}`,
      );
      for (const c of charts) assert.ok(c.marks > 0, `${c.title} has drawn marks`);
      // sweep plots: a point per trial and metric that varies across trials (results.json)
      const names = Object.keys(results.trials[0]!.metrics);
      const varying = names.filter((m) => new Set(results.trials.map((t) => t.metrics[m])).size > 1);
      const perParam = results.trials.length * (varying.length || names.length);
      for (const p of ["lambda", "tau"]) {
        const c = charts.find((x) => x.title === `metrics vs ${p}`);
        if (varying.length) assert.is(c?.points, perParam, `metrics vs ${p}`);
      }
      // training-curve points: (loss + terms + lr) per line of each train stage's train.jsonl
      const entries = (
        JSON.parse(readFileSync(path.join(runDir, "results.json"), "utf8")) as {
          stages: { name: string; entry: string }[];
        }
      ).stages;
      for (const name of ["pretrain", "distill"]) {
        let want = 0;
        for (const s of entries.filter((x) => x.name === name))
          for (const l of readFileSync(path.join(s.entry, "train.jsonl"), "utf8").trim().split("\n"))
            want += 2 + Object.keys((JSON.parse(l) as { terms: object }).terms).length;
        assert.is(charts.find((c) => c.title === `${name}: training curves`)!.points, want, name);
      }
      // the log-scale switch swaps the linear curves for the logarithmic ones
      const visible = () =>
        page.$$eval("div.linear, div.log", (ds) =>
          ds.map((d) => `${d.className}:${(d as HTMLElement).hidden ? "hidden" : "shown"}`),
        );
      assert.equal(await visible(), ["linear:shown", "log:hidden"]);
      await page.click("#logscale");
      assert.equal(await visible(), ["linear:hidden", "log:shown"]);
      for (const width of [1280, 800]) {
        await page.setViewport({ width, height: 900 });
        const overflow = await page.evaluate(
          () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
        );
        assert.ok(overflow <= 0, `horizontal overflow of ${overflow} px at ${width} px`);
      }
      // dense-feature pictures: decoded, not blank; the embedded images are the entry's own bytes
      const pictures = await page.$$eval("table.pictures img", (imgs) =>
        imgs.map((img) => {
          const c = document.createElement("canvas");
          c.width = img.naturalWidth;
          c.height = img.naturalHeight;
          const g = c.getContext("2d")!;
          g.drawImage(img, 0, 0);
          const px = g.getImageData(0, 0, c.width, c.height).data;
          let sum = 0,
            sq = 0;
          for (let i = 0; i < px.length; i += 4) {
            const v = px[i]! + px[i + 1]! + px[i + 2]!;
            sum += v;
            sq += v * v;
          }
          const n = px.length / 4;
          return {
            kind: img.getAttribute("data-kind"),
            stage: img.getAttribute("data-stage"),
            index: img.getAttribute("data-index"),
            src: img.getAttribute("src")!,
            width: img.naturalWidth,
            variance: sq / n - (sum / n) ** 2,
          };
        }),
      );
      const kinds = new Set(pictures.map((p) => p.kind));
      for (const k of ["image", "truth", "pca", "probe"]) assert.ok(kinds.has(k), `a ${k} picture`);
      for (const p of pictures) assert.ok(p.width > 0 && p.variance > 0, `${p.kind} picture decoded and not blank`);
      for (const p of pictures.filter((x) => x.kind === "image")) {
        const entry = entries.find((e) => e.entry.endsWith(p.stage!))!.entry;
        const bytes = readFileSync(path.join(entry, "pictures", `image-${p.index}.png`));
        assert.is(p.src, `data:image/png;base64,${bytes.toString("base64")}`, "the image is the entry's own PNG");
      }
      await page.screenshot({ path: path.join(dir, "report.png") as `${string}.png`, fullPage: true });
      assert.equal(errors, [], "console errors");
      assert.equal(requests, [], "requests other than file:// and data:");
    } finally {
      await browser.close();
    }
  });
}

test.after(() => {
  if (!process.env["KEEP"]) rmSync(dir, { recursive: true, force: true });
  else console.log(`kept ${dir}`);
});

test.run();
