// Learning-rate schedules: linear warmup from 0, then cosine, linear or constant decay to `min_lr`,
// as open_clip's cosine_lr (notes/paper.md §1.6). `step` counts from 0.

export interface ScheduleOptions {
  readonly lr: number;
  readonly warmup: number;
  readonly schedule: "cosine" | "constant" | "linear";
  readonly min_lr: number;
}

export function learningRate(o: ScheduleOptions, step: number, total: number): number {
  if (step < o.warmup) return (o.lr * (step + 1)) / o.warmup;
  if (o.schedule === "constant") return o.lr;
  const span = Math.max(1, total - o.warmup),
    e = Math.min(1, (step - o.warmup) / span);
  if (o.schedule === "linear") return o.min_lr + (o.lr - o.min_lr) * (1 - e);
  return o.min_lr + 0.5 * (1 + Math.cos(Math.PI * e)) * (o.lr - o.min_lr);
}
