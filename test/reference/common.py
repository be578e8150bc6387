"""Shared helpers for the PyTorch reference scripts that regenerate test/fixtures/reference/.

Run with Debian's interpreter, which sees python3-torch / python3-torchvision / python3-scipy:
    /usr/bin/python3 test/reference/<script>.py
CI never runs these; it only reads the committed fixtures. Tensors are written as safetensors by the
small writer below (not by the TypeScript code under test, so the reader is checked independently).
"""
import json
import os
import struct

import numpy as np
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "test", "fixtures", "reference")

_DT = {np.float32: "F32", np.int64: "I64", np.int32: "I32", np.uint8: "U8"}


def _np(t):
    if isinstance(t, torch.Tensor):
        t = t.detach().cpu().numpy()
    a = np.array(t, order="C", copy=True)  # ascontiguousarray would turn 0-d into 1-d
    if a.dtype == np.float64:
        a = a.astype(np.float32)
    return a


def save(name, tensors, meta=None):
    """Write test/fixtures/reference/<name>.safetensors; `meta` (JSON-able) goes into __metadata__.json."""
    os.makedirs(OUT, exist_ok=True)
    arrays = {k: _np(v) for k, v in sorted(tensors.items())}
    header, offset, blobs = {}, 0, []
    if meta is not None:
        header["__metadata__"] = {"json": json.dumps(meta, sort_keys=True)}
    for k, a in arrays.items():
        dt = _DT[a.dtype.type]
        b = a.astype(a.dtype.newbyteorder("<")).tobytes()
        header[k] = {"dtype": dt, "shape": list(a.shape), "data_offsets": [offset, offset + len(b)]}
        offset += len(b)
        blobs.append(b)
    h = json.dumps(header, separators=(",", ":"))
    h += " " * ((8 - (8 + len(h)) % 8) % 8)
    path = os.path.join(OUT, name + ".safetensors")
    with open(path + ".tmp", "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h.encode())
        for b in blobs:
            f.write(b)
    os.replace(path + ".tmp", path)
    print(f"wrote {os.path.relpath(path, ROOT)} ({os.path.getsize(path)} bytes, {len(arrays)} tensors)")


def seeded(seed):
    torch.manual_seed(seed)
    np.random.seed(seed)
    torch.set_num_threads(1)
