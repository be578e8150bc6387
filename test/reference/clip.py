"""Reference outputs of tiny random CLIPs, computed by an independent PyTorch implementation.

The model here is written from torch building blocks that scdx does not mirror: conv2d patch
embedding, nn.MultiheadAttention (fused in_proj), F.layer_norm, F.interpolate for the
position-embedding resize, argmax pooling of the text tower. Weights are saved in two key layouts:
Hugging Face CLIPModel (clip_tiny_*_hf) and OpenAI/open_clip (clip_tiny_*_openai).

    /usr/bin/python3 test/reference/clip.py
"""
import math

import torch
import torch.nn.functional as F

from common import save, seeded

CONFIGS = {
    # OpenAI-style: quick GELU, text tower
    "quick": dict(width=32, layers=2, heads=4, patch=4, image=16, mlp=64, act="quick_gelu",
                  twidth=24, tlayers=2, theads=2, ctx=8, vocab=50, embed=16),
    # toy-world style: tanh GELU, non-square-friendly grid
    "tanh": dict(width=24, layers=3, heads=3, patch=4, image=12, mlp=40, act="gelu_pytorch_tanh",
                 twidth=16, tlayers=1, theads=2, ctx=6, vocab=30, embed=8),
}


def act(kind, x):
    if kind == "quick_gelu":
        return x * torch.sigmoid(1.702 * x)
    return F.gelu(x, approximate="tanh")


def rand_params(c, g):
    """HF-layout parameters with non-trivial values (LN weights and biases perturbed too)."""
    P = {}
    D, E = c["width"], c["embed"]

    def n(*shape, std=0.2):
        return torch.randn(*shape, generator=g) * std

    P["vision_model.embeddings.patch_embedding.weight"] = n(D, 3, c["patch"], c["patch"], std=0.1)
    P["vision_model.embeddings.class_embedding"] = n(D)
    gs = c["image"] // c["patch"]
    P["vision_model.embeddings.position_embedding.weight"] = n(1 + gs * gs, D)
    for ln in ["vision_model.pre_layrnorm", "vision_model.post_layernorm", "text_model.final_layer_norm"]:
        w = c["twidth"] if ln.startswith("text") else D
        P[ln + ".weight"] = 1 + n(w, std=0.1)
        P[ln + ".bias"] = n(w, std=0.1)

    def layers(prefix, L, W, M):
        for i in range(L):
            q = f"{prefix}.encoder.layers.{i}."
            for m in ["q_proj", "k_proj", "v_proj", "out_proj"]:
                P[q + f"self_attn.{m}.weight"] = n(W, W, std=W ** -0.5)
                P[q + f"self_attn.{m}.bias"] = n(W, std=0.05)
            for ln in ["layer_norm1", "layer_norm2"]:
                P[q + ln + ".weight"] = 1 + n(W, std=0.1)
                P[q + ln + ".bias"] = n(W, std=0.1)
            P[q + "mlp.fc1.weight"] = n(M, W, std=W ** -0.5)
            P[q + "mlp.fc1.bias"] = n(M, std=0.05)
            P[q + "mlp.fc2.weight"] = n(W, M, std=M ** -0.5)
            P[q + "mlp.fc2.bias"] = n(W, std=0.05)

    layers("vision_model", c["layers"], D, c["mlp"])
    layers("text_model", c["tlayers"], c["twidth"], 2 * c["twidth"])
    P["visual_projection.weight"] = n(E, D, std=D ** -0.5)
    P["text_model.embeddings.token_embedding.weight"] = n(c["vocab"], c["twidth"])
    P["text_model.embeddings.position_embedding.weight"] = n(c["ctx"], c["twidth"], std=0.1)
    P["text_projection.weight"] = n(E, c["twidth"], std=c["twidth"] ** -0.5)
    P["logit_scale"] = torch.tensor(math.log(1 / 0.07))
    return P


def mha(P, q, x, heads, mask=None):
    """nn.MultiheadAttention with HF's split projections fused into in_proj. x: [B,T,W]."""
    W = x.shape[-1]
    # torch's own fused-projection attention, fed with P's tensors so gradients reach them
    return F.multi_head_attention_forward(
        x.transpose(0, 1), x.transpose(0, 1), x.transpose(0, 1), W, heads,
        torch.cat([P[q + f"self_attn.{k}_proj.weight"] for k in "qkv"]),
        torch.cat([P[q + f"self_attn.{k}_proj.bias"] for k in "qkv"]),
        None, None, False, 0.0, P[q + "self_attn.out_proj.weight"], P[q + "self_attn.out_proj.bias"],
        training=False, need_weights=False, attn_mask=mask)[0].transpose(0, 1)


def block(P, q, x, heads, kind, eps, mask=None, value_only=False):
    W = x.shape[-1]
    h = F.layer_norm(x, (W,), P[q + "layer_norm1.weight"], P[q + "layer_norm1.bias"], eps)
    if value_only:
        a = F.linear(F.linear(h, P[q + "self_attn.v_proj.weight"], P[q + "self_attn.v_proj.bias"]),
                     P[q + "self_attn.out_proj.weight"], P[q + "self_attn.out_proj.bias"])
    else:
        a = mha(P, q, h, heads, mask)
    x = x + a
    h = F.layer_norm(x, (W,), P[q + "layer_norm2.weight"], P[q + "layer_norm2.bias"], eps)
    h = act(kind, F.linear(h, P[q + "mlp.fc1.weight"], P[q + "mlp.fc1.bias"]))
    return x + F.linear(h, P[q + "mlp.fc2.weight"], P[q + "mlp.fc2.bias"])


def vision(P, c, img_nhwc, dense=False):
    x = img_nhwc.permute(0, 3, 1, 2)
    D, p = c["width"], c["patch"]
    t = F.conv2d(x, P["vision_model.embeddings.patch_embedding.weight"], stride=p)  # [B,D,gh,gw]
    B, _, gh, gw = t.shape
    t = t.flatten(2).transpose(1, 2)
    pos = P["vision_model.embeddings.position_embedding.weight"]
    g = int(round(math.sqrt(pos.shape[0] - 1)))
    grid = pos[1:]
    if (gh, gw) != (g, g):
        grid = F.interpolate(grid.reshape(1, g, g, D).permute(0, 3, 1, 2), size=(gh, gw), mode="bicubic",
                             align_corners=False).permute(0, 2, 3, 1).reshape(gh * gw, D)
    pos = torch.cat([pos[:1], grid])
    cls = P["vision_model.embeddings.class_embedding"].expand(B, 1, D)
    h = torch.cat([cls, t], 1) + pos
    h = F.layer_norm(h, (D,), P["vision_model.pre_layrnorm.weight"], P["vision_model.pre_layrnorm.bias"], 1e-5)
    L = c["layers"]
    for i in range(L):
        last = i == L - 1
        h = block(P, f"vision_model.encoder.layers.{i}.", h, c["heads"], c["act"], 1e-5, value_only=dense and last)
    post = lambda z: F.layer_norm(z, (D,), P["vision_model.post_layernorm.weight"], P["vision_model.post_layernorm.bias"], 1e-5)
    if dense:
        z = F.linear(post(h[:, 1:]), P["visual_projection.weight"])
        return F.normalize(z, dim=-1).reshape(B, gh, gw, -1)
    return F.linear(post(h[:, 0]), P["visual_projection.weight"])


def text(P, c, ids):
    B, L = ids.shape
    W = c["twidth"]
    h = P["text_model.embeddings.token_embedding.weight"][ids] + P["text_model.embeddings.position_embedding.weight"][:L]
    mask = torch.full((L, L), float("-inf")).triu(1)
    for i in range(c["tlayers"]):
        h = block(P, f"text_model.encoder.layers.{i}.", h, c["theads"], c["act"], 1e-5, mask=mask)
    h = F.layer_norm(h, (W,), P["text_model.final_layer_norm.weight"], P["text_model.final_layer_norm.bias"], 1e-5)
    pooled = h[torch.arange(B), ids.argmax(-1)]  # the end-of-text id is the vocabulary's largest
    return F.linear(pooled, P["text_projection.weight"])


def to_openai(P, c):
    """The same weights in OpenAI/open_clip keys: fused in_proj, c_fc/c_proj, ln_*, proj as [D,E]."""
    O = {}
    O["visual.conv1.weight"] = P["vision_model.embeddings.patch_embedding.weight"]
    O["visual.class_embedding"] = P["vision_model.embeddings.class_embedding"]
    O["visual.positional_embedding"] = P["vision_model.embeddings.position_embedding.weight"]
    for a, b in [("ln_pre", "pre_layrnorm"), ("ln_post", "post_layernorm")]:
        O[f"visual.{a}.weight"] = P[f"vision_model.{b}.weight"]
        O[f"visual.{a}.bias"] = P[f"vision_model.{b}.bias"]
    O["visual.proj"] = P["visual_projection.weight"].t()

    def blocks(src, dst, L):
        for i in range(L):
            s, d = f"{src}.encoder.layers.{i}.", f"{dst}.resblocks.{i}."
            O[d + "attn.in_proj_weight"] = torch.cat([P[s + f"self_attn.{k}_proj.weight"] for k in "qkv"])
            O[d + "attn.in_proj_bias"] = torch.cat([P[s + f"self_attn.{k}_proj.bias"] for k in "qkv"])
            O[d + "attn.out_proj.weight"] = P[s + "self_attn.out_proj.weight"]
            O[d + "attn.out_proj.bias"] = P[s + "self_attn.out_proj.bias"]
            for a, b in [("ln_1", "layer_norm1"), ("ln_2", "layer_norm2")]:
                O[d + a + ".weight"] = P[s + b + ".weight"]
                O[d + a + ".bias"] = P[s + b + ".bias"]
            O[d + "mlp.c_fc.weight"] = P[s + "mlp.fc1.weight"]
            O[d + "mlp.c_fc.bias"] = P[s + "mlp.fc1.bias"]
            O[d + "mlp.c_proj.weight"] = P[s + "mlp.fc2.weight"]
            O[d + "mlp.c_proj.bias"] = P[s + "mlp.fc2.bias"]

    blocks("vision_model", "visual.transformer", c["layers"])
    blocks("text_model", "transformer", c["tlayers"])
    O["token_embedding.weight"] = P["text_model.embeddings.token_embedding.weight"]
    O["positional_embedding"] = P["text_model.embeddings.position_embedding.weight"]
    O["ln_final.weight"] = P["text_model.final_layer_norm.weight"]
    O["ln_final.bias"] = P["text_model.final_layer_norm.bias"]
    O["text_projection"] = P["text_projection.weight"].t()
    O["logit_scale"] = P["logit_scale"]
    return O


def hf_config(c):
    return {
        "architectures": ["CLIPModel"], "model_type": "clip", "projection_dim": c["embed"],
        "vision_config": {"hidden_size": c["width"], "num_hidden_layers": c["layers"], "num_attention_heads": c["heads"],
                          "intermediate_size": c["mlp"], "hidden_act": c["act"], "patch_size": c["patch"],
                          "image_size": c["image"], "layer_norm_eps": 1e-5},
        "text_config": {"hidden_size": c["twidth"], "num_hidden_layers": c["tlayers"], "num_attention_heads": c["theads"],
                        "intermediate_size": 2 * c["twidth"], "hidden_act": c["act"], "max_position_embeddings": c["ctx"],
                        "vocab_size": c["vocab"], "eos_token_id": 2, "layer_norm_eps": 1e-5},
    }


def main():
    for name, c in CONFIGS.items():
        seeded(7)
        g = torch.Generator().manual_seed(11 if name == "quick" else 12)
        P = {k: v.clone().requires_grad_(True) for k, v in rand_params(c, g).items()}
        S = c["image"]
        img = torch.randn(2, S, S, 3, generator=g)
        img_big = torch.randn(1, S + 2 * c["patch"], S + c["patch"], 3, generator=g)  # other, non-square grid
        ids = torch.randint(1, c["vocab"] - 2, (3, c["ctx"]), generator=g)
        eot = [c["ctx"] - 1, 2, 4]
        for b, e in enumerate(eot):
            ids[b, e] = c["vocab"] - 1
            ids[b, e + 1:] = 0
        image_embeds = vision(P, c, img)
        dense = vision(P, c, img, dense=True)
        dense_big = vision(P, c, img_big, dense=True)
        text_embeds = text(P, c, ids)
        # a scalar touching every output, with fixed random weights, for gradients of all parameters
        r1 = torch.randn(*dense.shape, generator=g)
        r2 = torch.randn(*image_embeds.shape, generator=g)
        r3 = torch.randn(*text_embeds.shape, generator=g)
        r4 = torch.randn(*dense_big.shape, generator=g)
        scalar = (dense * r1).sum() + (image_embeds * r2).sum() + (text_embeds * r3).sum() + (dense_big * r4).sum()
        scalar.backward()
        out = {"images": img, "images_big": img_big, "ids": ids.to(torch.int64), "image_embeds": image_embeds,
               "dense": dense, "dense_big": dense_big, "text_embeds": text_embeds,
               "r_dense": r1, "r_image": r2, "r_text": r3, "r_dense_big": r4, "scalar": scalar}
        for k, v in P.items():
            out["param." + k] = v
            if v.grad is not None:
                out["grad." + k] = v.grad
        save(f"clip_tiny_{name}", out, meta={"config": hf_config(c), "eot": eot})
        save(f"clip_tiny_{name}_openai", to_openai({k: v.detach() for k, v in P.items()}, c), meta={"config": hf_config(c)})


if __name__ == "__main__":
    main()
