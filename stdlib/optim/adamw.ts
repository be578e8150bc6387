// AdamW (Loshchilov & Hutter) as torch.optim.AdamW computes it: decoupled decay θ ← θ − lr·wd·θ
// before the Adam update, bias-corrected moments. Our own rather than tf.train.adam because the
// runtime must checkpoint and restore the moments and step exactly, and tfjs's Adam has no
// decoupled decay or per-parameter decay mask.
import * as tf from "@tensorflow/tfjs";
import { fusedAdamW } from "../tensor/fused/adamw-update.ts";

export interface AdamWOptions {
  readonly lr: number;
  readonly weight_decay: number;
  readonly betas: readonly [number, number];
  readonly eps: number;
}

export interface AdamWState {
  step: number;
  readonly m: Record<string, tf.Variable>;
  readonly v: Record<string, tf.Variable>;
}

/** `scope` keeps variable names unique: tfjs registers every variable name engine-wide. */
export function adamwInit(params: Readonly<Record<string, tf.Variable>>, scope = "adam"): AdamWState {
  const m: Record<string, tf.Variable> = {},
    v: Record<string, tf.Variable> = {};
  for (const [k, p] of Object.entries(params)) {
    // tf.variable copies its initial value: the zeros must be freed here, or every trainer leaks 2× its parameters.
    const z = tf.zerosLike(p);
    m[k] = tf.variable(z, false, `${scope}/m/${k}`);
    v[k] = tf.variable(z, false, `${scope}/v/${k}`);
    z.dispose();
  }
  return { step: 0, m, v };
}

/**
 * One update of `params` (variables) from `grads`, at learning rate `lr` (from the schedule).
 * `decay(key)` says whether weight decay applies (none on biases, norms, 1-D params).
 */
export function adamwStep(
  params: Readonly<Record<string, tf.Variable>>,
  grads: Readonly<Record<string, tf.Tensor>>,
  state: AdamWState,
  o: AdamWOptions,
  lr: number,
  decay: (key: string) => boolean,
): void {
  state.step++;
  const [b1, b2] = o.betas,
    t = state.step;
  const c1 = 1 - b1 ** t,
    c2 = 1 - b2 ** t;
  tf.tidy(() => {
    for (const [k, p] of Object.entries(params)) {
      const g = grads[k];
      if (!g) continue;
      const m = state.m[k]!,
        v = state.v[k]!;
      const decays = decay(k) && o.weight_decay > 0;
      const fused = fusedAdamW(p, g, m, v, {
        b1,
        b2,
        decay: decays ? 1 - lr * o.weight_decay : 1,
        stepSize: lr / c1,
        sqrtC2: Math.sqrt(c2),
        eps: o.eps,
      });
      if (fused) {
        p.assign(fused[0]);
        m.assign(fused[1]);
        v.assign(fused[2]);
        continue;
      }
      const m1 = tf.add(tf.mul(m, b1), tf.mul(g, 1 - b1));
      const v1 = tf.add(tf.mul(v, b2), tf.mul(tf.mul(g, g), 1 - b2));
      m.assign(m1);
      v.assign(v1);
      const base = decays ? tf.mul(p, 1 - lr * o.weight_decay) : p;
      // torch: denom = sqrt(v)/sqrt(c2) + eps; θ −= (lr/c1)·m/denom
      const denom = tf.add(tf.div(tf.sqrt(v1), Math.sqrt(c2)), o.eps);
      p.assign(tf.sub(base, tf.mul(tf.div(m1, denom), lr / c1)));
    }
  });
}
