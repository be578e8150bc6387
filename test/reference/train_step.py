"""Two optimisation steps of RLA + λ·SCD on a tiny CLIP (student = teacher = source at start),
with torchvision's roi_align and torch.optim.AdamW: the reference for stdlib/train/step.ts.
Trainable: the image tower's blocks (CLIPSelf's set); everything else frozen.

    /usr/bin/python3 test/reference/train_step.py
"""
import math

import torch
import torch.nn.functional as F
from torchvision.ops import roi_align

import clip as ref
from common import save, seeded
from losses import rla, scd


def main():
    seeded(9)
    c = ref.CONFIGS["tanh"]
    g = torch.Generator().manual_seed(12)
    P0 = ref.rand_params(c, g)
    S, grid, B = c["image"], c["image"] // c["patch"], 2
    imgs = [torch.randn(B, S, S, 3, generator=g) for _ in range(2)]
    crops = [torch.randn(5, S, S, 3, generator=g) for _ in range(2)]
    # regions as fractions of the padded image side: grid cells of 1×1, 1×2 and 2×2 splits
    boxes = torch.tensor([[0, 0, 1, 1], [0, 0, 0.5, 1], [0.5, 0, 1, 1], [0, 0, 0.5, 0.5], [0.5, 0.5, 1, 1]], dtype=torch.float32)
    box_image = torch.tensor([0, 0, 1, 1, 1])
    lam, k = 0.5, 2
    o = dict(tau=0.2, minmax=True, stop_grad="source", divergence="ce", direction="source_to_student", similarity="cosine")
    trainable = sorted(n for n in P0 if n.startswith("vision_model.encoder.layers."))
    P = {n: (torch.nn.Parameter(v.clone()) if n in trainable else v.clone()) for n, v in P0.items()}
    decay = [P[n] for n in trainable if P[n].ndim >= 2]
    no_decay = [P[n] for n in trainable if P[n].ndim < 2]
    lr, steps, warmup = 1e-2, 2, 1
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=lr, betas=(0.9, 0.999), eps=1e-8)
    out = {"boxes": boxes, "box_image": box_image.to(torch.int64)}
    for step in range(steps):
        cur = lr * (step + 1) / warmup if step < warmup else 0.5 * (1 + math.cos(math.pi * (step - warmup) / (steps - warmup))) * lr
        for gr in opt.param_groups:
            gr["lr"] = cur
        opt.zero_grad()
        with torch.no_grad():
            t = ref.vision(P0, c, crops[step])                              # teacher: original weights
            src = ref.vision(P0, c, imgs[step], dense=True).permute(0, 3, 1, 2)
            rois = torch.cat([box_image[:, None].float(), boxes * grid], 1)
            zt = roi_align(src, rois, (k, k), 1.0, -1, True).flatten(2).transpose(1, 2)
        d = ref.vision(P, c, imgs[step], dense=True).permute(0, 3, 1, 2)   # [B,E,g,g]
        s = roi_align(d, rois, (1, 1), 1.0, -1, True).flatten(1)
        zs = roi_align(d, rois, (k, k), 1.0, -1, True).flatten(2).transpose(1, 2)
        l_rla, l_scd = rla(s, t), scd(zs, zt, o)
        loss = l_rla + lam * l_scd
        loss.backward()
        opt.step()
        out.update({f"{step}.images": imgs[step], f"{step}.crops": crops[step], f"{step}.loss": loss,
                    f"{step}.rla": l_rla, f"{step}.scd": lam * l_scd, f"{step}.lr": torch.tensor(cur)})
    for n, v in P0.items():
        out["param." + n] = v
    for n in trainable:
        out["final." + n] = P[n].detach()
    save("train_step", out, meta={"config": ref.hf_config(c), "lambda": lam, "k": k, "lr": lr, "steps": steps,
                                  "warmup": warmup, "scd": o})


if __name__ == "__main__":
    main()
