import * as fs from "node:fs";
import * as path from "node:path";
import type * as A from "../../lang/ast.ts";
import { StudyEvaluator } from "../../lang/evaluate.ts";
import type { IrNode, Json } from "../../core/ir.ts";
import { showJson, type Value } from "../../lang/values.ts";
import { optionsInOrder } from "../../lang/options.ts";
import { registry } from "../../stdlib/registry.ts";
import type { CompileResult } from "../../lang/compile.ts";
import { DataError } from "../../stdlib/data/errors.ts";
import { openDataset } from "../../stdlib/data/open.ts";
import type { Dataset } from "../../stdlib/data/sample.ts";
import { renderPreview } from "../data-tools/preview.ts";
import { collectStats, renderStats } from "../data-tools/stats.ts";
import { EXIT, parseCommandArgs, UsageError, type Command, type Io } from "./command.ts";
import { compileFile, printDiagnostics } from "./diagnose.ts";

export const data: Command = {
  name: "data",
  help: `Usage: scdx data FILE NAME [--stats] [--preview DIR [--count N]] [--set name=value]… [--trial N]

Checks FILE, opens the dataset it declares as \`data NAME = …\` (options as the study resolves
them, files relative to the declaring .scd) and describes it. Nothing is trained.

Options:
  --stats            read every sample (or the first --limit N) and count images, segments per
                     class, boxes and captions
  --limit N          read at most N samples for --stats
  --preview DIR      write the first --count images to DIR as PNGs: the image, the same image with
                     panoptic masks, outlines, boxes and class labels, and its captions underneath
  --count N          images to preview (default 8)
  --set name=value   override a param (or the seed); repeatable
  --trial N          which trial of the sweep gives the dataset's options (default 1)
  -h, --help         show this help

Without --stats or --preview it prints the dataset's options, size and classes.
Exit codes: 0 ok, 1 the file has errors or the data cannot be read, 2 usage error.`,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, {
      set: { type: "string", multiple: true },
      stats: { type: "boolean" },
      preview: { type: "string" },
      count: { type: "string" },
      limit: { type: "string" },
      trial: { type: "string" },
    });
    if (values.help) {
      io.out(data.help + "\n");
      return EXIT.ok;
    }
    if (positionals.length !== 2) throw new UsageError("give a .scd file and the name of one of its data declarations");
    const count = whole(values.count, "--count", 8),
      trial = whole(values.trial, "--trial", 1);
    const limit = values.limit === undefined ? undefined : whole(values.limit, "--limit", 0);
    const [file, name] = positionals as [string, string];
    const r = compileFile(file, values.set ?? []);
    if (printDiagnostics(r, io, "pretty") || !r.study) return EXIT.errors;
    const { node, baseDir } = dataNode(r, name, trial);

    try {
      const ds = await openDataset(node, baseDir);
      io.out(describe(name, node, ds));
      if (values.stats) io.out("\n" + renderStats(await collectStats(ds, limit), ds.classes, ds.length));
      if (values.preview !== undefined) await writePreviews(ds, values.preview, count, io);
      if (ds.skipped?.length)
        io.err(
          `${ds.skipped.length} sample${ds.skipped.length === 1 ? "" : "s"} skipped (skip_bad): ${ds.skipped
            .slice(0, 3)
            .map((s) => `${s.id}: ${s.reason}`)
            .join("; ")}${ds.skipped.length > 3 ? "; …" : ""}\n`,
        );
      return EXIT.ok;
    } catch (e) {
      // Bad data files are the user's to fix: one clean line. Anything else is our bug (main reports it).
      if (e instanceof DataError || (e instanceof Error && "code" in e && typeof e.code === "string" && "path" in e)) {
        io.err(`scdx data: ${e.message}\n`);
        return EXIT.errors;
      }
      throw e;
    }
  },
};

function whole(v: string | undefined, flag: string, dflt: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`${flag} must be a whole number, got \`${v}\``);
  return n;
}

/** The data node NAME evaluates to in a trial, whether or not a stage uses it. */
function dataNode(r: CompileResult, name: string, trialNo: number): { node: IrNode; baseDir: string } {
  const study = r.study!;
  const dataNames = [...r.loaded.scope]
    .filter(([, b]) => b.decl.kind === "binding" && b.decl.keyword === "data")
    .map(([n]) => n);
  const b = r.loaded.scope.get(name);
  if (b?.decl.kind !== "binding" || b.decl.keyword !== "data") {
    throw new UsageError(
      `\`${name}\` is not a data declaration of ${r.loaded.main.display}${dataNames.length ? `; its data: ${dataNames.join(", ")}` : " (it declares no data)"}`,
    );
  }
  const t = study.trials[trialNo - 1];
  if (!t)
    throw new UsageError(
      `--trial ${trialNo}: the study has ${study.trials.length} trial${study.trials.length === 1 ? "" : "s"}`,
    );
  const params = new Map<string, Value>();
  for (const [p, v] of Object.entries(t.params)) {
    const d = r.loaded.scope.get(p)?.decl;
    params.set(p, toValue(v, d?.kind === "param" ? d.value : undefined));
  }
  const ev = new StudyEvaluator(r.loaded);
  const v = ev.entry(name, params).value;
  const node = v.type === "data" ? ev.nodes.get(v.ref.key) : undefined;
  if (!node) throw new Error(`data \`${name}\` did not evaluate to a dataset in trial ${trialNo}`);
  return { node, baseDir: path.dirname(b.file.path) };
}

/** A trial's param value back as a checker Value; a string is a symbol where the default was a bare word. */
function toValue(j: Json, like: A.Expr | undefined): Value {
  const span = { start: 0, end: 0 };
  if (typeof j === "number") return { type: "number", value: j, span };
  if (typeof j === "boolean") return { type: "bool", value: j, span };
  if (typeof j === "string") return { type: like?.kind === "ident" ? "symbol" : "string", value: j, span };
  if (Array.isArray(j))
    return {
      type: "list",
      items: j.map((x, i) => toValue(x, like?.kind === "list" ? (like.items[i] ?? like.items[0]) : undefined)),
      span,
    };
  if (j && typeof j === "object")
    return { type: "record", fields: new Map(Object.entries(j).map(([k, x]) => [k, toValue(x, undefined)])), span };
  return { type: "error", span };
}

function describe(name: string, node: IrNode, ds: Dataset): string {
  const opts = optionsInOrder(registry.get(node.op)?.options, node.options)
    .map(([k, v]) => `${k}: ${showJson(v)}`)
    .join(", ");
  const things = ds.classes.filter((c) => c.isThing);
  const stuff = ds.classes.filter((c) => !c.isThing);
  const list = (cs: typeof things) =>
    cs.length > 12
      ? `${cs
          .slice(0, 12)
          .map((c) => c.name)
          .join(", ")}, … (${cs.length})`
      : cs.map((c) => c.name).join(", ");
  let out = `data ${name} = ${node.op}(${opts})  [${node.origin.file}]\n`;
  out += `${ds.length} image${ds.length === 1 ? "" : "s"}; things: ${list(things) || "none"}; stuff: ${list(stuff) || "none"}\n`;
  return out;
}

async function writePreviews(ds: Dataset, dir: string, count: number, io: Io): Promise<void> {
  const { default: sharp } = await import("sharp");
  const out = path.resolve(io.cwd, dir);
  fs.mkdirSync(out, { recursive: true });
  const n = Math.min(count, ds.length);
  for (let i = 0; i < n; i++) {
    const p = renderPreview(await ds.get(i), ds.classes, i);
    await sharp(Buffer.from(p.rgb.buffer, p.rgb.byteOffset, p.rgb.byteLength), {
      raw: { width: p.width, height: p.height, channels: 3 },
    })
      .png()
      .toFile(path.join(out, `${String(i).padStart(4, "0")}.png`));
  }
  io.out(
    `wrote ${n} preview${n === 1 ? "" : "s"} to ${dir}${dir.endsWith("/") ? "" : "/"}0000.png … (image | masks, boxes, labels; captions below)\n`,
  );
}
