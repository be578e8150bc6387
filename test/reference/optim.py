"""torch.optim.AdamW with decay / no-decay parameter groups under open_clip's warmup + cosine
schedule, for a few steps with fixed gradients. Reference for stdlib/optim.

    /usr/bin/python3 test/reference/optim.py
"""
import math

import torch

from common import save, seeded


def cosine_lr(base, warmup, total, step):  # open_clip's scheduler.cosine_lr, min lr 0
    if step < warmup:
        return base * (step + 1) / warmup
    e, es = step - warmup, total - warmup
    return 0.5 * (1 + math.cos(math.pi * e / es)) * base


def main():
    seeded(5)
    P = {"fc.weight": torch.randn(4, 3), "fc.bias": torch.randn(4), "layer_norm1.weight": 1 + 0.1 * torch.randn(4),
         "emb.weight": torch.randn(5, 3)}
    P = {k: torch.nn.Parameter(v.clone()) for k, v in P.items()}
    out = {f"init.{k}": v.detach().clone() for k, v in P.items()}
    decay = [P["fc.weight"], P["emb.weight"]]
    no_decay = [P["fc.bias"], P["layer_norm1.weight"]]
    base, wd, warmup, total = 0.05, 0.1, 2, 6
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": wd}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=base, betas=(0.9, 0.98), eps=1e-6)
    lrs = []
    for step in range(total):
        lr = cosine_lr(base, warmup, total, step)
        lrs.append(lr)
        for g in opt.param_groups:
            g["lr"] = lr
        for k, p in P.items():
            p.grad = torch.randn_like(p) * (step + 1)
            out[f"grad.{step}.{k}"] = p.grad.clone()
        opt.step()
    for k, p in P.items():
        out[f"final.{k}"] = p.detach()
        st = opt.state[p]
        out[f"m.{k}"] = st["exp_avg"]
        out[f"v.{k}"] = st["exp_avg_sq"]
    save("optim", out, meta={"lr": base, "weight_decay": wd, "betas": [0.9, 0.98], "eps": 1e-6, "warmup": warmup,
                             "total": total, "lrs": lrs})


if __name__ == "__main__":
    main()
