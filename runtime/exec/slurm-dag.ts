// A run's Slurm DAG, as written to RUN/slurm/dag.json when it is submitted: every stage the cache
// lacked, the job (array task) computing it, and the files it writes. Everything `scdx attach`,
// `scdx status` and `scdx cancel` need to follow or stop the run comes from here and the run's
// events, so the driver that submitted it may be gone.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import type { Metrics } from "../events/events.ts";

export interface DagStage {
  /** Cache key. */
  readonly key: string;
  readonly name: string;
  readonly kind: "train" | "bench";
  /** `<array job id>_<task>`, as squeue -r and scancel name it. */
  readonly job: string;
  /** The worker's messages (one JSON line each, appended across requeues). */
  readonly events: string;
  readonly log: string;
  /** Cache keys of the submitted stages it needs. */
  readonly needs: readonly string[];
  /** Queued by another run (its job was still alive): followed, not submitted again. */
  readonly adopted?: boolean;
}

export interface SlurmDag {
  readonly version: 1;
  /** Epoch ms of the run's start: event times stay relative to it when another process follows. */
  readonly t0: number;
  /** The array job ids this run submitted (scancel targets), and ids of adopted jobs. */
  readonly arrays: readonly string[];
  readonly stages: readonly DagStage[];
  /** What the plan settled without Slurm (cached, or not needed), by structural node key. */
  readonly settled: Readonly<
    Record<string, { ok: boolean; dir?: string; metrics?: Metrics; skipped?: boolean; message?: string }>
  >;
  /** This run's record in the cache's queue/ (for other runs to adopt its jobs); removed at its end. */
  readonly record?: string;
  /** sbatch calls made, for the record (bounded by stage shapes × dependency waves). */
  readonly sbatchCalls: number;
}

export const dagFile = (runDir: string) => path.join(runDir, "slurm", "dag.json");

export function writeDag(runDir: string, dag: SlurmDag): void {
  writeFileSync(dagFile(runDir), JSON.stringify(dag) + "\n");
}

export function readDag(runDir: string): SlurmDag | undefined {
  const f = dagFile(runDir);
  return existsSync(f) ? (JSON.parse(readFileSync(f, "utf8")) as SlurmDag) : undefined;
}
