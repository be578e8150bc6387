// Resumable train-stage checkpoints in the stage's work directory. Everything that decides the
// steps still to come is in one file, written under a temporary name and renamed into place (a
// crash mid-write leaves the previous checkpoint): the trained parameters and both AdamW moments
// bit for bit, the optimizer step, and the data cursor. Randomness needs no saved state: region
// sampling is a function of (seed, epoch, position) and crop sampling of (seed, step), so the
// cursor and the step *are* the RNG state. The loss log up to the checkpoint sits beside it.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { readSafetensors, writeSafetensors, type TensorToWrite } from "../../stdlib/io/safetensors.ts";
import type { DataCursor } from "../../stdlib/data/pipeline.ts";
import type { Trainer } from "../../stdlib/train/step.ts";

const FILE = "checkpoint.safetensors";
const LOG_FILE = "log.jsonl";

export interface CheckpointState {
  /** Optimizer steps taken. */
  readonly step: number;
  readonly cursor: DataCursor;
  /** The stage's cache key: a checkpoint of another definition is never resumed. */
  readonly key: string;
}

export function saveCheckpoint(workDir: string, t: Trainer, state: CheckpointState, logLines: readonly string[]): void {
  mkdirSync(workDir, { recursive: true });
  const tensors: Record<string, TensorToWrite> = {};
  const put = (prefix: string, vars: Readonly<Record<string, tf.Tensor>>) => {
    for (const [k, v] of Object.entries(vars))
      tensors[`${prefix}${k}`] = { dtype: "F32", shape: v.shape, data: v.dataSync() as Float32Array };
  };
  put("param/", t.variables);
  put("m/", t.optimizer.m);
  put("v/", t.optimizer.v);
  const meta = {
    step: String(state.step),
    cursor: JSON.stringify(state.cursor),
    key: state.key,
    format: "scdx-checkpoint-1",
  };
  const tmp = join(workDir, `${FILE}.tmp-${process.pid}`);
  writeSafetensors(tmp, tensors, meta);
  writeFileSync(join(workDir, `${LOG_FILE}.tmp-${process.pid}`), logLines.map((l) => l + "\n").join(""));
  // Log first, then the checkpoint: a log that runs ahead of its checkpoint is cut back on resume.
  renameSync(join(workDir, `${LOG_FILE}.tmp-${process.pid}`), join(workDir, LOG_FILE));
  renameSync(tmp, join(workDir, FILE));
}

/**
 * Restores `t` from the checkpoint in `workDir` if there is one for `key`; returns its state and
 * the log lines of the steps before it, or undefined (start from scratch).
 */
export function loadCheckpoint(
  workDir: string,
  t: Trainer,
  key: string,
): { state: CheckpointState; log: string[] } | undefined {
  const file = join(workDir, FILE);
  if (!existsSync(file)) return undefined;
  const st = readSafetensors(file);
  if (st.metadata["key"] !== key) return undefined;
  const get = (name: string, want: tf.Tensor): Float32Array => {
    const raw = st.tensors.get(name);
    if (!raw || raw.shape.join() !== want.shape.join())
      throw new Error(
        `${file}: '${name}' is missing or has another shape; delete the work directory to restart the stage`,
      );
    return raw.data as Float32Array;
  };
  const restore = (v: tf.Variable, name: string) => {
    const x = tf.tensor(get(name, v), v.shape);
    v.assign(x);
    x.dispose();
  };
  for (const [k, v] of Object.entries(t.variables)) restore(v, `param/${k}`);
  for (const [k, v] of Object.entries(t.optimizer.m)) restore(v, `m/${k}`);
  for (const [k, v] of Object.entries(t.optimizer.v)) restore(v, `v/${k}`);
  const step = Number(st.metadata["step"]);
  t.optimizer.step = step;
  const logPath = join(workDir, LOG_FILE);
  const log = existsSync(logPath)
    ? readFileSync(logPath, "utf8")
        .split("\n")
        .filter((l) => l !== "")
        .filter((l) => (JSON.parse(l) as { step: number }).step < step)
    : [];
  return { state: { step, cursor: JSON.parse(st.metadata["cursor"]!) as DataCursor, key }, log };
}
