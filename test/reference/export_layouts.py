"""Checks, in PyTorch, that an OpenAI/open_clip-layout export holds the same CLIP as an HF-layout one.

Used live by test/runtime/cli-export.test.ts when torch is importable (it writes no fixture):
    /usr/bin/python3 test/reference/export_layouts.py HF.safetensors OPENAI.safetensors
Both files are read by the small reader below (not scdx's), the HF state dict is converted to
OpenAI CLIP's keys with torch (q/k/v fused into in_proj, projections transposed), and every tensor
of the OpenAI file must equal its conversion exactly, with no key left over on either side.
Prints one JSON line: {"checked": N, "problems": [...]}.
"""
import json
import re
import struct
import sys

import numpy as np
import torch

_NP = {"F32": np.float32, "I64": np.int64, "I32": np.int32}


def read(path):
    with open(path, "rb") as f:
        data = f.read()
    n = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + n])
    out = {}
    for k, v in header.items():
        if k == "__metadata__":
            continue
        a, b = v["data_offsets"]
        arr = np.frombuffer(data[8 + n + a:8 + n + b], dtype=_NP[v["dtype"]]).reshape(v["shape"])
        out[k] = torch.from_numpy(arr.copy())
    return out


BLOCK = {"layer_norm1": "ln_1", "layer_norm2": "ln_2", "mlp.fc1": "mlp.c_fc", "mlp.fc2": "mlp.c_proj", "self_attn.out_proj": "attn.out_proj"}


def to_openai(hf):
    o = {}
    e = "vision_model.embeddings."
    o["visual.conv1.weight"] = hf[e + "patch_embedding.weight"]
    o["visual.class_embedding"] = hf[e + "class_embedding"]
    o["visual.positional_embedding"] = hf[e + "position_embedding.weight"]
    for src, dst in [("vision_model.pre_layrnorm", "visual.ln_pre"), ("vision_model.post_layernorm", "visual.ln_post"), ("text_model.final_layer_norm", "ln_final")]:
        for p in ("weight", "bias"):
            o[f"{dst}.{p}"] = hf[f"{src}.{p}"]
    o["visual.proj"] = hf["visual_projection.weight"].t()
    o["token_embedding.weight"] = hf["text_model.embeddings.token_embedding.weight"]
    o["positional_embedding"] = hf["text_model.embeddings.position_embedding.weight"]
    o["text_projection"] = hf["text_projection.weight"].t()
    o["logit_scale"] = hf["logit_scale"]
    for tower, prefix in [("vision_model", "visual.transformer"), ("text_model", "transformer")]:
        layers = sorted({int(m.group(1)) for k in hf for m in [re.match(rf"{tower}\.encoder\.layers\.(\d+)\.", k)] if m})
        for i in layers:
            s, d = f"{tower}.encoder.layers.{i}.", f"{prefix}.resblocks.{i}."
            for p in ("weight", "bias"):
                o[d + f"attn.in_proj_{p}"] = torch.cat([hf[s + f"self_attn.{x}_proj.{p}"] for x in "qkv"])
                for a, b in BLOCK.items():
                    o[d + f"{b}.{p}"] = hf[s + f"{a}.{p}"]
    return o


def main():
    hf, oa = read(sys.argv[1]), read(sys.argv[2])
    want = to_openai(hf)
    problems = [f"missing {k}" for k in sorted(set(want) - set(oa))] + [f"unexpected {k}" for k in sorted(set(oa) - set(want))]
    checked = 0
    for k in sorted(set(want) & set(oa)):
        if tuple(want[k].shape) != tuple(oa[k].shape):
            problems.append(f"{k}: shape {tuple(oa[k].shape)}, expected {tuple(want[k].shape)}")
        elif not torch.equal(want[k], oa[k]):
            problems.append(f"{k}: values differ (max |diff| {float((want[k] - oa[k]).abs().max())})")
        checked += 1
    print(json.dumps({"checked": checked, "problems": problems}))


if __name__ == "__main__":
    main()
