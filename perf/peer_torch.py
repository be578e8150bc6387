"""The PyTorch CPU peer of perf/train-step.ts: the same workloads (perf/train-step-workloads.ts)
built from the reference code in test/reference/ (clip.vision, losses.rla/scd, torchvision's
roi_align as train_step.py uses them), on N threads. Prints one JSON line: per-run milliseconds.

    /usr/bin/python3 perf/peer_torch.py WORKLOAD THREADS RUNS WARM BATCH|-
    WORKLOAD: tiny | b16 | quickstart
"""
import os
import sys

workload, threads, runs, warm, batch = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
# torch.set_num_threads does not reach OpenBLAS's own pool: without these its matMuls use every core
# (measured: 350 vs 175 GFLOP/s on 1024³ on a 2-core machine) and the peer is not N threads.
os.environ["OPENBLAS_NUM_THREADS"] = str(threads)
# With both OpenMP (torch's intra-op pool) and OpenBLAS's pthreads at N > 1, OpenMP's spinning
# threads starve OpenBLAS's on a 2-core machine (measured: tiny step 176 ms at 2 threads vs 86 at
# 1). perf/train-step.ts runs both remedies and keeps the faster: PEER_MODE=passive (both pools at
# N, OMP_WAIT_POLICY=PASSIVE) or PEER_MODE=blas (OpenBLAS at N, torch's own pool at 1).
mode = os.environ.get("PEER_MODE", "passive")
torch_threads = 1 if mode == "blas" else threads
os.environ["OMP_NUM_THREADS"] = str(torch_threads)
if mode == "passive":
    os.environ["OMP_WAIT_POLICY"] = "PASSIVE"

import json  # noqa: E402
import time  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "reference"))

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torchvision.ops import roi_align  # noqa: E402

import clip as ref  # noqa: E402
from losses import rla, scd  # noqa: E402

torch.set_num_threads(torch_threads)
TINY = dict(width=128, layers=4, heads=4, patch=8, image=64, mlp=512, act="gelu_pytorch_tanh",
            twidth=128, tlayers=1, theads=4, ctx=8, vocab=16, embed=64)
B16 = dict(width=768, layers=12, heads=12, patch=16, image=224, mlp=3072, act="quick_gelu",
           twidth=64, tlayers=1, theads=4, ctx=8, vocab=16, embed=512)
g = torch.Generator().manual_seed(0)


def vision_params(c, train):
    return {k: (torch.nn.Parameter(v) if train(k) else v) for k, v in ref.rand_params(c, g).items()
            if k.startswith("vision") or k == "visual_projection.weight"}


def cosine(c, b, train):
    P = vision_params(c, train)
    x = torch.randn(b, c["image"], c["image"], 3, generator=g)
    target = F.normalize(torch.randn(b, c["embed"], generator=g), dim=-1)
    opt = torch.optim.AdamW([p for p in P.values() if isinstance(p, torch.nn.Parameter)], lr=1e-4)

    def step():
        opt.zero_grad()
        loss = 1 - (F.normalize(ref.vision(P, c, x), dim=-1) * target).sum(-1).mean()
        loss.backward()
        opt.step()
        loss.item()

    def forward():
        with torch.no_grad():
            ref.vision(P, c, x)

    return step, forward


def quickstart():
    c = TINY
    P0 = vision_params(c, lambda k: False)
    blocks = sorted(k for k in P0 if k.startswith("vision_model.encoder.layers."))
    P = {k: (torch.nn.Parameter(v.clone()) if k in blocks else v) for k, v in P0.items()}
    opt = torch.optim.AdamW([{"params": [P[k] for k in blocks if P[k].ndim >= 2], "weight_decay": 0.1},
                             {"params": [P[k] for k in blocks if P[k].ndim < 2], "weight_decay": 0.0}], lr=2e-4)
    B, per, S, k, grid = 8, 8, 64, 4, 8
    imgs = torch.randn(B, S, S, 3, generator=g)
    crops = torch.randn(B * per, S, S, 3, generator=g)
    rows = []
    for i in range(B * per):  # the grid cells perf/train-step-workloads.ts builds
        n = 1 + i % 4
        cx, cy = (i * 7) % n, (i * 3) % n
        rows.append([i // per, cx / n * grid, cy / n * grid, (cx + 1) / n * grid, (cy + 1) / n * grid])
    rois = torch.tensor(rows, dtype=torch.float32)
    o = dict(tau=0.2, minmax=True, stop_grad="source", divergence="ce", direction="source_to_student",
             similarity="cosine")

    def step():
        opt.zero_grad()
        with torch.no_grad():
            t = ref.vision(P0, c, crops)  # the frozen teacher's crop forwards
            src = ref.vision(P0, c, imgs, dense=True).permute(0, 3, 1, 2)
            zt = roi_align(src, rois, (k, k), 1.0, -1, True).flatten(2).transpose(1, 2)
        d = ref.vision(P, c, imgs, dense=True).permute(0, 3, 1, 2)
        s = roi_align(d, rois, (1, 1), 1.0, -1, True).flatten(1)
        zs = roi_align(d, rois, (k, k), 1.0, -1, True).flatten(2).transpose(1, 2)
        loss = rla(s, t) + 0.5 * scd(zs, zt, o)
        loss.backward()
        opt.step()
        loss.item()

    return step, None


def timed(f):
    for _ in range(warm):
        f()
    ts = []
    for _ in range(runs):
        t0 = time.perf_counter()
        f()
        ts.append((time.perf_counter() - t0) * 1000)
    return ts


if workload == "tiny":
    step, forward = cosine(TINY, 16, lambda k: True)
elif workload == "b16":
    step, forward = cosine(B16, int(batch), lambda k: k.startswith("vision_model.encoder.layers."))
elif workload == "quickstart":
    step, forward = quickstart()
else:
    sys.exit(f"unknown workload {workload}")

# Which BLAS torch got decides the peer's speed: Debian's torch falls back to the reference BLAS
# (≈ 8 GFLOP/s on 1024³) unless libopenblas0-pthread is installed. Measure instead of guessing.
a, b = torch.randn(1024, 1024), torch.randn(1024, 1024)
for _ in range(2):
    a @ b
t0 = time.perf_counter()
a @ b
gflops = 2 * 1024 ** 3 / (time.perf_counter() - t0) / 1e9
out = {"torch": torch.__version__, "threads": torch.get_num_threads(),
       "blas": f"1024³ matMul {gflops:.0f} GFLOP/s, {threads} BLAS thread(s), torch intra-op {torch_threads}"
               + (", OMP_WAIT_POLICY=PASSIVE" if mode == "passive" else ""),
       "step": timed(step)}
if forward:
    out["forward"] = timed(forward)
print(json.dumps(out))
