// The dense-feature panel's probe caption says which protocol drew the probe pictures: a real run of
// two spatial probes on one (untrained) model, one matching clusters to classes and one to each
// image's panoptic segments (`segments: instances`), read back with loadReport. Each probe alone gets
// its own protocol's sentence; both together, a sentence per protocol naming its bench.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { densePanel, probeCaption } from "../../../runtime/report/dense-panel.ts";
import { loadReport, type ReportData } from "../../../runtime/report/report-data.ts";
import { scdx } from "../../support/cli.ts";

const dir = mkdtempSync(path.join(os.tmpdir(), "scdx-dense-panel-"));
const file = path.join(dir, "probes.scd");
writeFileSync(path.join(dir, "package.json"), "{}\n"); // its own project: runs land in dir/.scdx/runs
writeFileSync(
  file,
  [
    "experiment probes",
    "data val = shapes(images: 3, size: 64, seed: 2)",
    "model base = clip(arch: vit_tiny)",
    "bench by_class = unsupervised_segmentation(base, val, pictures: 2)",
    "bench by_instance = unsupervised_segmentation(base, val, segments: instances, pictures: 2)",
    "",
  ].join("\n"),
);

const CLASSES = probeCaption({ segments: "classes", scope: "image" });
const INSTANCES = probeCaption({ segments: "instances", scope: "image" });
let data: ReportData;

/** The panel's caption: its first paragraph. */
const caption = async (d: ReportData) => /^<p class="muted">(.*?)<\/p>/.exec(await densePanel(d))![1]!;
const only = (name: string): ReportData => ({ ...data, stages: data.stages.filter((s) => s.info.name === name) });

test("the protocols' sentences say what is clustered, what clusters are matched to and what the colour is", () => {
  assert.match(CLASSES, "Hungarian-matched to the image's classes");
  assert.match(CLASSES, "k = the number of classes in the image");
  assert.match(INSTANCES, "segments: instances");
  assert.match(INSTANCES, "k = the image's number of panoptic segments");
  assert.match(INSTANCES, "one-to-one to the image's panoptic segments");
  assert.match(INSTANCES, "the class colour of the segment its cluster was matched to");
  assert.match(probeCaption({ segments: "classes", scope: "dataset" }), "all the dataset's tokens together");
  assert.match(probeCaption({ segments: "instances", clusters: 5 }), "k = 5");
  // a run from before `segments:` existed matched to classes
  assert.is(probeCaption({ scope: "image" }), CLASSES);
});

test("a real run: each probe's caption follows its own options, read from the run's program.json", async () => {
  const r = await scdx("run", file, "--cache", path.join(dir, "cache"), "--reporter", "plain");
  assert.is(r.code, 0, r.err + r.out);
  const runDir = /^run dir (.+)$/m.exec(r.out)![1]!;
  data = loadReport(runDir);
  const byName = Object.fromEntries(data.stages.map((s) => [s.info.name, s]));
  assert.is(byName["by_class"]!.options!["segments"], "classes", "defaults filled in");
  assert.is(byName["by_instance"]!.options!["segments"], "instances");
  for (const s of data.stages) assert.ok(s.pictures, `${s.info.name} kept pictures`);

  assert.match(await caption(only("by_class")), `Probe: ${CLASSES}.`);
  assert.not.match(await caption(only("by_class")), "panoptic");
  assert.match(await caption(only("by_instance")), `Probe: ${INSTANCES}.`);
  assert.not.match(await caption(only("by_instance")), "Hungarian-matched to the image's classes");

  const both = await caption(data);
  assert.match(both, `Probe of <b>by_class</b>: ${CLASSES}.`);
  assert.match(both, `Probe of <b>by_instance</b>: ${INSTANCES}.`);
});

test.after(() => {
  if (!process.env["KEEP"]) rmSync(dir, { recursive: true, force: true });
  else console.log(`kept ${dir}`);
});

test.run();
