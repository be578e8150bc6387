// The gathering half of `scdx why`: the stage's key now, whether the cache holds it, and if not,
// the previous key of the same stage from the cache's run index, its fields and its run's program,
// handed to why.ts to diff. Upstream stages whose keys changed are explained the same way.
import { existsSync, readFileSync, statSync } from "node:fs";
import { describeHolder, lockFile, type LockInfo } from "../cache/lock.ts";
import * as path from "node:path";
import type { Json, Study } from "../../core/ir.ts";
import { parseManifest, MANIFEST } from "../cache/manifest.ts";
import { runsOf, type IndexedRun, type IndexedStage } from "./run-index.ts";
import type { PlannedStage } from "../plan/run-plan.ts";
import type { Session } from "../plan/session.ts";
import {
  diffKeyFields,
  diffNodes,
  diffParams,
  pairInputs,
  type FieldDiff,
  type InputStageChange,
  type NodeDiff,
  type ValueChange,
} from "./why.ts";

export interface StageWhy {
  readonly stage: string;
  readonly trial: number;
  readonly key: string;
  /** Set when the cache holds the current key: nothing would run. */
  readonly cached: { readonly created: string } | null;
  /** The most recent other key of this stage, and whether its entry is still in the cache. */
  readonly previous: {
    readonly key: string;
    readonly time: string | null;
    readonly runDir: string | null;
    readonly inCache: boolean;
  } | null;
  /** Time of an earlier run that planned this very key but left no entry (failed, interrupted, collected). */
  readonly plannedBefore: string | null;
  /** Who holds the stage's lock right now (it is being computed), if anyone. */
  readonly computing?: string | null;
  readonly fields: readonly FieldWhy[];
}

export interface FieldWhy extends FieldDiff {
  /** definition: the trial's params that changed, and the node diff (null when the old program is gone). */
  readonly definition?: {
    readonly params: readonly ValueChange[];
    readonly node: NodeDiff | null;
    readonly unavailable?: string;
  };
  /** inputs: each upstream stage whose key changed, explained in turn. */
  readonly inputs?: readonly (InputStageChange & { readonly explain?: StageWhy })[];
}

interface Previous {
  readonly run: IndexedRun | null;
  readonly stage: IndexedStage;
}

/** Why `stage` of trial `trial` (1-based) would or would not run in this session; `file` is the
 * study's absolute path, as the run index records it. */
export function explainStage(s: Session, file: string, stage: PlannedStage, trial: number): StageWhy {
  const ctx = new Context(s, file);
  const cached = ctx.created(stage.info.key);
  const base = { stage: stage.info.name, trial, key: stage.info.key, cached: cached ? { created: cached } : null };
  if (cached) return { ...base, previous: null, plannedBefore: null, fields: [] };
  const mine = ctx.runs.flatMap((r) =>
    r.stages.filter((x) => x.name === stage.info.name).map((x) => ({ run: r, stage: x })),
  );
  // Same trial first; a sweep that was renumbered since still has the stage under another trial.
  const ordered = [
    ...mine.filter((m) => m.stage.trials.includes(trial)),
    ...mine.filter((m) => !m.stage.trials.includes(trial)),
  ];
  const planned = ordered.find((m) => m.stage.key === stage.info.key);
  const prev = ordered.find((m) => m.stage.key !== stage.info.key);
  return {
    ...base,
    plannedBefore: planned?.run.time ?? null,
    computing: holder(s.cache.root, stage.info.key),
    ...ctx.compare(stage, prev ?? null, trial),
  };
}

/** The live holder of a stage's lock (heartbeat within the stale limit), described for people. */
function holder(root: string, key: string): string | null {
  try {
    const file = lockFile(root, key);
    if (Date.now() - statSync(file).mtimeMs > 30_000) return null;
    return describeHolder(JSON.parse(readFileSync(file, "utf8")) as LockInfo);
  } catch {
    return null;
  }
}

class Context {
  readonly runs: IndexedRun[];
  private readonly programs = new Map<string, Study | null>();

  constructor(
    readonly s: Session,
    file: string,
  ) {
    this.runs = runsOf(s.cache.root, file);
  }

  /** The entry's creation time if the cache holds `key` (read-only: why must not touch or move entries). */
  created(key: string): string | null {
    const m = this.manifest(key);
    return m ? m.created : null;
  }

  private manifest(key: string) {
    const f = path.join(this.s.cache.entryDir(key), MANIFEST);
    if (!existsSync(f)) return null;
    const m = parseManifest(readFileSync(f, "utf8"), key);
    return typeof m === "string" ? null : m;
  }

  /** The index record of an older key of a stage; from the entry's manifest when the index lost it. */
  byKey(name: string, key: string): Previous | null {
    for (const run of this.runs) {
      const stage = run.stages.find((x) => x.key === key);
      if (stage) return { run, stage };
    }
    const m = this.manifest(key);
    return m
      ? {
          run: null,
          stage: { name, trials: [], node: String(m.fields["definition"]?.value ?? ""), key, fields: m.fields },
        }
      : null;
  }

  program(runDir: string | null): Study | null {
    if (!runDir) return null;
    if (!this.programs.has(runDir)) {
      let p: Study | null = null;
      try {
        p = JSON.parse(readFileSync(path.join(runDir, "program.json"), "utf8")) as Study;
      } catch {
        /* run dir removed */
      }
      this.programs.set(runDir, p);
    }
    return this.programs.get(runDir)!;
  }

  compare(cur: PlannedStage, prev: Previous | null, trial: number): Pick<StageWhy, "previous" | "fields"> {
    if (!prev) return { previous: null, fields: [] };
    const previous = {
      key: prev.stage.key,
      time: prev.run?.time ?? null,
      runDir: prev.run?.runDir ?? null,
      inCache: this.created(prev.stage.key) !== null,
    };
    const fields = diffKeyFields(prev.stage.fields, cur.fields).map((d) => this.detail(d, cur, prev, trial));
    return { previous, fields };
  }

  private detail(d: FieldDiff, cur: PlannedStage, prev: Previous, trial: number): FieldWhy {
    if (d.field === "definition") {
      const old = this.program(prev.run?.runDir ?? null);
      if (!old)
        return {
          ...d,
          definition: {
            params: [],
            node: null,
            unavailable: prev.run?.runDir
              ? `${path.join(prev.run.runDir, "program.json")} is gone`
              : "the previous run's program was not recorded",
          },
        };
      const now = this.s.study,
        before = old.nodes[prev.stage.node],
        after = now.nodes[cur.info.node];
      const relevant = [...(before?.params ?? []), ...(after?.params ?? [])];
      const params = diffParams(old.trials[trial - 1]?.params ?? {}, now.trials[trial - 1]?.params ?? {}, relevant);
      return { ...d, definition: { params, node: diffNodes(old.nodes, prev.stage.node, now.nodes, cur.info.node) } };
    }
    if (d.field === "inputs") {
      const b = prev.stage.fields["inputs"]?.value,
        a = cur.fields["inputs"]?.value;
      const nameBefore = (node: string) =>
        prev.run?.stages.find((x) => x.node === node)?.name ??
        this.program(prev.run?.runDir ?? null)?.nodes[node]?.origin.name ??
        node.slice(0, 12);
      const nameAfter = (node: string) => this.s.plan.stages.get(node)?.info.name ?? node.slice(0, 12);
      const pairs = pairInputs(asMap(b), asMap(a), nameBefore, nameAfter);
      return {
        ...d,
        inputs: pairs.map((p) => {
          const up = p.after ? this.s.plan.stages.get(p.after.node) : undefined;
          if (!up || !p.before) return p;
          const older = this.byKey(p.name, p.before.key);
          const created = this.created(up.info.key);
          const explain: StageWhy = {
            stage: p.name,
            trial,
            key: up.info.key,
            cached: created ? { created } : null,
            plannedBefore: null,
            ...this.compare(up, older, trial),
          };
          return { ...p, explain };
        }),
      };
    }
    return d;
  }
}

const asMap = (v: Json | undefined): Record<string, Json> => (v && typeof v === "object" && !Array.isArray(v) ? v : {});
