// From lowering's structural key to the cache key: what lowering cannot know is added here, each
// field with the reason it is in the key (written into every entry's manifest and read by `why`).
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync, renameSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { inputKeys, isStage, type IrNode, type Json, type Study } from "../../core/ir.ts";
import { registry } from "../../stdlib/registry.ts";
import { TOKENIZER_FILES } from "../../stdlib/text/load-tokenizer.ts";
import type { KeyFields } from "./store.ts";

/** Bumped when a runner's output for the same inputs changes (format or numbers). */
export const RUNNER_VERSIONS: Readonly<Record<string, string>> = { train: "1", bench: "1" };

export interface KeyContext {
  readonly backend: string;
  readonly scdxVersion: string;
  /** Content fingerprint of an external file or directory. */
  readonly fingerprint: (path: string) => string;
}

/** Nodes a stage reads directly: its own data/model/loss inputs, short of other stages. */
export function localNodes(study: Pick<Study, "nodes">, key: string): IrNode[] {
  const out: IrNode[] = [],
    seen = new Set<string>();
  const visit = (k: string, root: boolean) => {
    if (seen.has(k)) return;
    seen.add(k);
    const n = study.nodes[k];
    if (!n) return;
    out.push(n);
    if (!root && isStage(n)) return;
    for (const i of inputKeys(n)) visit(i, false);
  };
  visit(key, true);
  return out;
}

/** Stage keys a stage consumes (its models coming out of train stages). */
export function stageInputs(study: Pick<Study, "nodes">, key: string): string[] {
  return localNodes(study, key)
    .filter((n) => n.key !== key && isStage(n))
    .map((n) => n.key);
}

export function keyFields(
  study: Pick<Study, "nodes">,
  key: string,
  inputCacheKeys: Readonly<Record<string, string>>,
  ctx: KeyContext,
): KeyFields {
  const node = study.nodes[key]!;
  const local = localNodes(study, key).filter((n) => n.key === key || !isStage(n));
  const components: Record<string, string> = { [`runner:${node.kind}`]: RUNNER_VERSIONS[node.kind] ?? "0" };
  const files: Record<string, string> = {};
  for (const n of local) {
    const ops =
      n.kind === "train"
        ? [...n.loss.map((t) => t.op), (n.options["optim"] as { op: string } | undefined)?.op ?? "adamw"]
        : [n.op];
    for (const op of ops) {
      const m = registry.get(op);
      if (m) components[op] = m.version;
    }
    // Version 2 blends only the trained parameters; keyed only where an ensemble is used, so
    // stages without one keep their entries.
    if (n.kind === "train" && (n.options["ensemble"] ?? 1) !== 1) components["ensemble"] = "2";
    // By node and option, not absolute path: the same bytes in another clone or machine are the same input.
    for (const f of n.files) {
      const id = `${n.op}(${n.key.slice(0, 12)}).${f.option}`;
      if (n.kind === "model" && f.option === "weights")
        for (const [rel, p] of weightFiles(f.path)) files[`${id}/${rel}`] = ctx.fingerprint(p);
      else files[id] = ctx.fingerprint(f.path);
    }
  }
  const inputs: Record<string, Json> = {};
  for (const k of Object.keys(inputCacheKeys).sort()) inputs[k] = inputCacheKeys[k]!;
  return {
    definition: {
      value: key,
      why: "lowering's structural key: the stage's op, resolved options (params and seed substituted, defaults filled), loss terms, and the definitions of everything it reads",
    },
    inputs: {
      value: inputs,
      why: "cache keys of the stages whose models it consumes, so that anything that changed upstream (backend, versions, files) reaches this stage",
    },
    components: {
      value: components,
      why: "implementation versions of the runner and of every component it calls: a changed implementation must not reuse results of the old one",
    },
    files: {
      value: files,
      why: "content fingerprints of external files (weights, annotations, images): the same path with other bytes is another input",
    },
    backend: {
      value: ctx.backend,
      why: "tfjs backends differ in the last bits of float results; a result is reproducible on the backend that made it",
    },
    scdx: {
      value: ctx.scdxVersion,
      why: "the scdx version: a release may change numerics that no component version records",
    },
  };
}

/** Files a checkpoint loader reads (stdlib/models/load-clip.ts, runtime/models/model-files.ts): for a
 * weights file, also the config and tokenizer beside it; for a folder, those and every safetensors
 * shard — but not the folder's other files, so a README or PROVENANCE.md edit changes no key. */
const CHECKPOINT_SIDECARS = [
  "config.json",
  "open_clip_config.json",
  "preprocessor_config.json",
  "model.json",
  "model.safetensors.index.json",
  ...TOKENIZER_FILES,
];

export function weightFiles(p: string): [string, string][] {
  if (!existsSync(p)) return [[basename(p), p]]; // fingerprints as "missing"; loading will say so
  const dir = statSync(p).isDirectory() ? p : dirname(p);
  const names = readdirSync(dir).filter(
    (f) => CHECKPOINT_SIDECARS.includes(f) || (statSync(p).isDirectory() && f.endsWith(".safetensors")),
  );
  if (!statSync(p).isDirectory()) names.push(basename(p));
  return [...new Set(names)].sort().map((f) => [f, join(dir, f)]);
}

/**
 * Fingerprints memoised by (path, size, mtime) in the cache, so planning a COCO study does not
 * re-hash large files: a file is sha256 of its bytes; a directory of up to 1000 files (a checkpoint)
 * hashes their contents; a larger one (118k images) its listing — names, sizes, mtimes — which is
 * cheap and still shows any added, removed or rewritten file.
 */
export class FileFingerprints {
  private memo: Record<string, { size: number; mtimeMs: number; hash: string }> = {};
  private dirty = false;

  constructor(private readonly file: string) {
    try {
      if (existsSync(file)) this.memo = JSON.parse(readFileSync(file, "utf8"));
    } catch {
      this.memo = {};
    }
  }

  fingerprint = (path: string): string => {
    if (!existsSync(path)) return "missing";
    const st = statSync(path);
    const hit = this.memo[path];
    if (hit && hit.size === st.size && hit.mtimeMs === st.mtimeMs && !st.isDirectory()) return hit.hash;
    const hash = st.isDirectory() ? this.dirHash(path) : createHash("sha256").update(readFileSync(path)).digest("hex");
    if (!st.isDirectory()) {
      this.memo[path] = { size: st.size, mtimeMs: st.mtimeMs, hash };
      this.dirty = true;
    }
    return hash;
  };

  /** Small directories (a checkpoint) by their files' contents; large ones (images) by listing. */
  private dirHash(dir: string): string {
    const files: { rel: string; path: string; size: number; mtimeMs: number }[] = [];
    const walk = (d: string, rel: string) => {
      for (const name of readdirSync(d).sort()) {
        const p = join(d, name),
          st = statSync(p);
        if (st.isDirectory()) walk(p, `${rel}${name}/`);
        else files.push({ rel: rel + name, path: p, size: st.size, mtimeMs: st.mtimeMs });
      }
    };
    walk(dir, "");
    const h = createHash("sha256");
    const byContent = files.length <= 1000;
    for (const f of files) h.update(`${f.rel}\0${byContent ? this.fingerprint(f.path) : `${f.size}\0${f.mtimeMs}`}\n`);
    return h.digest("hex");
  }

  save(): void {
    if (!this.dirty) return;
    mkdirSync(join(this.file, ".."), { recursive: true });
    const tmp = `${this.file}.tmp-${process.pid}`;
    writeFileSync(tmp, JSON.stringify(this.memo));
    renameSync(tmp, this.file);
    this.dirty = false;
  }
}
