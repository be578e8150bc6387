"""The PyTorch CPU peer of perf/train-step.ts: the same tiny ViT (batch 16, 64 px, patch 8, width
128, depth 4, 4 heads, MLP 512), the same step (forward, 1 − cos to fixed targets, backward,
AdamW), on 1 thread. Prints one JSON line: median milliseconds per step and per forward pass.

    /usr/bin/python3 perf/peer_torch.py [runs]
"""
import os

# torch.set_num_threads(1) does not reach OpenBLAS's own pool: without these, its matMuls use every
# core (measured: 350 vs 175 GFLOP/s on 1024³ on a 2-core machine) and the peer is not 1 thread.
os.environ["OPENBLAS_NUM_THREADS"] = "1"
os.environ["OMP_NUM_THREADS"] = "1"

import json  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "reference"))

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

import clip as ref  # noqa: E402

torch.set_num_threads(1)
runs = int(sys.argv[1]) if len(sys.argv) > 1 else 10
c = dict(width=128, layers=4, heads=4, patch=8, image=64, mlp=512, act="gelu_pytorch_tanh",
         twidth=128, tlayers=1, theads=4, ctx=8, vocab=16, embed=64)
g = torch.Generator().manual_seed(0)
P = {k: torch.nn.Parameter(v) for k, v in ref.rand_params(c, g).items() if k.startswith("vision") or k == "visual_projection.weight"}
x = torch.randn(16, 64, 64, 3, generator=g)
target = F.normalize(torch.randn(16, 64, generator=g), dim=-1)
opt = torch.optim.AdamW(P.values(), lr=1e-4)


def step():
    opt.zero_grad()
    loss = 1 - (F.normalize(ref.vision(P, c, x), dim=-1) * target).sum(-1).mean()
    loss.backward()
    opt.step()


def forward():
    with torch.no_grad():
        ref.vision(P, c, x)


def timed(f, warm=3):
    for _ in range(warm):
        f()
    ts = []
    for _ in range(runs):
        t0 = time.perf_counter()
        f()
        ts.append((time.perf_counter() - t0) * 1000)
    return statistics.median(ts)


# Which BLAS torch got decides the peer's speed: Debian's torch falls back to the reference BLAS
# (≈ 8 GFLOP/s on 1024³) unless libopenblas0-pthread is installed. Measure instead of guessing.
a, b = torch.randn(1024, 1024), torch.randn(1024, 1024)
gflops = 2 * 1024 ** 3 / timed(lambda: a @ b) / 1e6
print(json.dumps({"torch": torch.__version__, "matmul_gflops": gflops, "threads": torch.get_num_threads(),
                  "step_ms": timed(step), "forward_ms": timed(forward)}))
