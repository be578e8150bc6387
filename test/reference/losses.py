"""Reference values and gradients of the RLA, SCD and CLIP-contrastive losses (PyTorch autograd).

    /usr/bin/python3 test/reference/losses.py
"""
import itertools
import math

import torch
import torch.nn.functional as F

from common import save, seeded


def rla(s, t):
    return 1 - (F.normalize(s, dim=-1) * F.normalize(t.detach(), dim=-1)).sum(-1).mean()


def corr(z, o, detach_right):
    zz = F.normalize(z, dim=-1) if o["similarity"] == "cosine" else z
    s = zz @ (zz.detach() if detach_right else zz).transpose(-1, -2)
    if o["minmax"]:
        lo = s.min(-1, keepdim=True).values
        hi = s.max(-1, keepdim=True).values
        s = (s - lo) / (hi - lo + 1e-6)
    return s / o["tau"]


def scd(zs, zt, o):
    ls = corr(zs, o, o["stop_grad"] == "source_and_student")
    lt = corr(zt.detach(), o, False)
    if o["direction"] == "source_to_student":
        # KL(Pt || Ps) as torch defines it: kl_div(input=log q, target=p)
        log_p, log_q = F.log_softmax(lt, -1), F.log_softmax(ls, -1)
    else:
        log_p, log_q = F.log_softmax(ls, -1), F.log_softmax(lt, -1)
    if o["divergence"] == "kl":
        return F.kl_div(log_q, log_p, reduction="none", log_target=True).sum(-1).mean()
    return -(log_p.exp() * log_q).sum(-1).mean()


def contrastive(img, txt, logit_scale):
    logits = logit_scale.exp().clamp(max=100) * F.normalize(img, dim=-1) @ F.normalize(txt, dim=-1).t()
    y = torch.arange(img.shape[0])
    return (F.cross_entropy(logits, y) + F.cross_entropy(logits.t(), y)) / 2


def main():
    seeded(3)
    out, cases = {}, []
    s = torch.randn(12, 16, requires_grad=True)
    t = torch.randn(12, 16, requires_grad=True)
    loss = rla(s, t)
    loss.backward()
    out.update({"rla.s": s, "rla.t": t, "rla.loss": loss, "rla.grad_s": s.grad})

    zs0 = torch.randn(5, 9, 16)
    zt0 = zs0 + 0.5 * torch.randn(5, 9, 16)  # correlated, like a student near its teacher
    out.update({"scd.zs": zs0, "scd.zt": zt0})
    grid = itertools.product([0.2, 0.07], [True, False], ["source", "source_and_student"], ["ce", "kl"],
                             ["source_to_student", "student_to_source"], ["cosine", "dot"])
    for i, (tau, mm, sg, div, dr, sim) in enumerate(grid):
        o = dict(tau=tau, minmax=mm, stop_grad=sg, divergence=div, direction=dr, similarity=sim)
        if sim == "dot" and not mm:
            o["tau"] = tau * 16  # raw dot products of 16-d gaussians are large; keep softmax unsaturated
        zs = zs0.clone().requires_grad_(True)
        loss = scd(zs, zt0, o)
        loss.backward()
        out[f"scd.{i}.loss"] = loss
        out[f"scd.{i}.grad"] = zs.grad
        cases.append(o)

    img = torch.randn(6, 8, requires_grad=True)
    txt = torch.randn(6, 8, requires_grad=True)
    ls = torch.tensor(math.log(1 / 0.07), requires_grad=True)
    loss = contrastive(img, txt, ls)
    loss.backward()
    out.update({"con.img": img, "con.txt": txt, "con.logit_scale": ls, "con.loss": loss,
                "con.grad_img": img.grad, "con.grad_txt": txt.grad, "con.grad_scale": ls.grad})
    save("losses", out, meta={"scd_cases": cases})


if __name__ == "__main__":
    main()
