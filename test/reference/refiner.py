"""Reference for the Refiner composite (frozen CLIP dense tokens → Refiner blocks → the CLIP's
final norm and projection, L2) and for the refiner_ssl hypothesis loss, by PyTorch autograd.

    /usr/bin/python3 test/reference/refiner.py
"""
import torch
import torch.nn.functional as F

import clip as ref
from common import save, seeded


def dense_tokens(P, c, img):
    """ref.vision(dense=True) up to, not including, the head: [B,gh,gw,D]."""
    captured = {}
    orig = F.layer_norm

    def spy(x, shape, w, b, eps):
        if w is P["vision_model.post_layernorm.weight"]:
            captured["tokens"] = x
        return orig(x, shape, w, b, eps)

    F.layer_norm = spy
    try:
        ref.vision(P, c, img, dense=True)
    finally:
        F.layer_norm = orig
    t = captured["tokens"]
    B, gh = img.shape[0], img.shape[1] // c["patch"]
    return t.reshape(B, gh, img.shape[2] // c["patch"], -1)


def refiner_ssl(s, t, tau, objective):
    N, gh, gw, E = s.shape
    s = F.normalize(s.reshape(N, gh * gw, E), dim=-1)
    t = F.normalize(t.detach().reshape(N, gh * gw, E), dim=-1)
    if objective == "cosine":
        return 1 - (s * t).sum(-1).mean()
    logits = s @ t.transpose(1, 2) / tau
    return F.cross_entropy(logits.reshape(-1, gh * gw), torch.arange(gh * gw).repeat(N))


def main():
    seeded(4)
    c = ref.CONFIGS["tanh"]
    g = torch.Generator().manual_seed(21)
    P = ref.rand_params(c, g)
    D, depth = c["width"], 2
    R = {}
    for i in range(depth):
        q = f"refiner.layers.{i}."
        for m in ["q_proj", "k_proj", "v_proj", "out_proj"]:
            R[q + f"self_attn.{m}.weight"] = torch.randn(D, D, generator=g) * D ** -0.5
            R[q + f"self_attn.{m}.bias"] = torch.randn(D, generator=g) * 0.05
        for ln in ["layer_norm1", "layer_norm2"]:
            R[q + ln + ".weight"] = 1 + 0.1 * torch.randn(D, generator=g)
            R[q + ln + ".bias"] = 0.1 * torch.randn(D, generator=g)
        R[q + "mlp.fc1.weight"] = torch.randn(4 * D, D, generator=g) * D ** -0.5
        R[q + "mlp.fc1.bias"] = torch.randn(4 * D, generator=g) * 0.05
        R[q + "mlp.fc2.weight"] = torch.randn(D, 4 * D, generator=g) * (4 * D) ** -0.5
        R[q + "mlp.fc2.bias"] = torch.randn(D, generator=g) * 0.05
    R = {k: v.requires_grad_(True) for k, v in R.items()}
    img = torch.randn(2, c["image"], c["image"], 3, generator=g)
    with torch.no_grad():
        tok = dense_tokens(P, c, img)
    B, gh, gw, _ = tok.shape
    h = tok.reshape(B, gh * gw, D)
    for i in range(depth):
        h = ref.block(R, f"refiner.layers.{i}.", h, c["heads"], c["act"], 1e-5)
    z = F.layer_norm(h, (D,), P["vision_model.post_layernorm.weight"], P["vision_model.post_layernorm.bias"], 1e-5)
    refined = F.normalize(F.linear(z, P["visual_projection.weight"]), dim=-1).reshape(B, gh, gw, -1)
    r = torch.randn(*refined.shape, generator=g)
    (refined * r).sum().backward()
    out = {"images": img, "refined": refined, "r": r, "tokens": tok}
    for k, v in P.items():
        out["param." + k] = v
    for k, v in R.items():
        out["refiner." + k] = v
        out["grad." + k] = v.grad

    s = torch.randn(3, 2, 2, 8, requires_grad=True)
    t = s.detach() + 0.3 * torch.randn(3, 2, 2, 8, generator=g)
    for obj in ["infonce", "cosine"]:
        s.grad = None
        loss = refiner_ssl(s, t, 0.2, obj)
        loss.backward()
        out[f"ssl.{obj}.loss"] = loss
        out[f"ssl.{obj}.grad"] = s.grad.clone()
    out["ssl.s"], out["ssl.t"] = s, t
    save("refiner", out, meta={"config": ref.hf_config(c), "depth": depth})


if __name__ == "__main__":
    main()
