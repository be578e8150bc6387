// The generated study the perf harnesses check (perf/check.ts, perf/lsp.ts): clean, in the style of
// examples/, as long as asked.
/** A large study in the style of examples/: blocks of params, data, a model, a pretrain → refine →
 * distill chain with `rla(…) + lambda * scd(…)` losses, and benches. Each block's teacher is the
 * previous block's student, in chains of 8, so names reference each other across blocks. */
export function bigStudy(minLines: number): string {
  const out = ["experiment perf_big", "", "data val = shapes(images: 500, size: 64, seed: 2)", ""];
  for (let i = 0; out.length < minLines; i++) {
    const teacher = i % 8 === 0 ? `frozen(pretrain_${i}.model)` : `frozen(distill_${i - 1}.model)`;
    out.push(
      `// block ${i}: λ·SCD with a refined target, its teacher ${i % 8 === 0 ? "pretrained here" : `distilled by block ${i - 1}`}`,
      `param lambda_${i} = ${(i % 9) * 0.5} in [0, 4]`,
      `param tau_${i}    = ${((i % 10) + 1) / 10} in (0, 1]`,
      `param steps_${i}  = ${100 + i} in [1, 100000]`,
      `data train_${i} = shapes(images: ${1000 + i}, size: 64, seed: ${i + 10})`,
      `model base_${i} = clip(arch: vit_tiny)`,
      `stage pretrain_${i} = train(base_${i}) {`,
      `  data  = train_${i}`,
      `  loss  = clip_contrastive()`,
      `  optim = adamw(lr: 1e-3, weight_decay: 0.1, warmup: 100, schedule: cosine)`,
      `  steps = steps_${i}`,
      `  batch = 64`,
      `}`,
      `let teacher_${i} = ${teacher}`,
      `stage refine_${i} = train(refiner(teacher_${i}, depth: 2)) {`,
      `  data  = train_${i}`,
      `  loss  = refiner_ssl(teacher_${i}, tau: 0.2, objective: infonce)`,
      `  optim = adamw(lr: 3e-4, weight_decay: 0.1, warmup: 50, schedule: cosine)`,
      `  steps = steps_${i}`,
      `  batch = 32`,
      `}`,
      `stage distill_${i} = train(teacher_${i}) {`,
      `  trainable = blocks`,
      `  data = train_${i}`,
      `  loss = rla(teacher_${i}, grid: 1..4, max_boxes: 8)`,
      `       + lambda_${i} * scd(refine_${i}.model, tau: tau_${i}, k: 4, minmax: true, divergence: ce, stop_grad: source)`,
      `  optim = adamw(lr: 2e-4, weight_decay: 0.1, warmup: 40, schedule: cosine)`,
      `  steps = steps_${i}`,
      `  batch = 16`,
      `  ensemble = 0.7`,
      `}`,
      `bench regions_${i} = region_classification(distill_${i}.model, val, pool: [box, mask], topk: [1, 5])`,
      `bench spatial_${i} = unsupervised_segmentation(distill_${i}.model, val)`,
      "",
    );
  }
  return out.join("\n") + "\n";
}
