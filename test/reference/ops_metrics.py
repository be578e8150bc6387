"""Reference values for stdlib/ops (roi_align, mask pooling) and stdlib/metrics.

roi_align comes from torchvision's own op (forward and autograd backward), mask pooling from a
plain torch expression, the metrics from numpy written here, Hungarian matching from scipy. Tensors
are stored channels-last (NHWC) so the TypeScript side reads them without transposing.

    /usr/bin/python3 test/reference/ops_metrics.py
"""
import numpy as np
import torch
import torch.nn.functional as F
from scipy.optimize import linear_sum_assignment
from torchvision.ops import roi_align

from common import save, seeded


# --- roi_align -------------------------------------------------------------------------------------

def roi_boxes(rng, n, h, w, scale, aligned):
    """Boxes in input units (divided by spatial_scale): inside, partly outside, tiny, large, degenerate.

    Inverted boxes only when not aligned: torchvision's CPU kernel then clamps the size to 1, while
    with aligned=True it sizes a vector by a negative sample count and throws.
    """
    H, W = h / scale, w / scale
    out = []
    for i in range(n):
        kind = i % 6
        if kind == 0:  # random inside
            x0, y0 = rng.uniform(0, W * 0.7), rng.uniform(0, H * 0.7)
            x1, y1 = x0 + rng.uniform(0.5, W - x0), y0 + rng.uniform(0.5, H - y0)
        elif kind == 1:  # partly (or wholly) outside
            x0, y0 = rng.uniform(-W * 0.6, W * 0.8), rng.uniform(-H * 0.6, H * 0.8)
            x1, y1 = x0 + rng.uniform(0.3, W), y0 + rng.uniform(0.3, H)
        elif kind == 2:  # tiny, below one cell
            x0, y0 = rng.uniform(-0.5, W), rng.uniform(-0.5, H)
            x1, y1 = x0 + rng.uniform(0, 0.6) / scale, y0 + rng.uniform(0, 0.6) / scale
        elif kind == 3:  # larger than the map
            x0, y0 = rng.uniform(-2, 0.5) / scale, rng.uniform(-2, 0.5) / scale
            x1, y1 = W + rng.uniform(-0.5, 2) / scale, H + rng.uniform(-0.5, 2) / scale
        elif kind == 4:  # grid cells on integer coordinates, as CLIPSelf's training boxes
            m, k = rng.integers(1, 4), rng.integers(1, 4)
            r, c = rng.integers(0, m), rng.integers(0, k)
            x0, x1 = c * W / k, (c + 1) * W / k
            y0, y1 = r * H / m, (r + 1) * H / m
        else:  # degenerate: zero width, or inverted
            x0, y0 = rng.uniform(0, W), rng.uniform(0, H)
            x1 = x0 if i % 12 == 5 or aligned else x0 - rng.uniform(0.1, 2)
            y1 = y0 + rng.uniform(0.5, 3)
        out.append([x0, y0, x1, y1])
    return np.array(out, dtype=np.float32)


ROI_CASES = [
    # B, C, H, W, n, out, scale, sampling, aligned
    dict(B=2, C=3, H=7, W=9, n=18, out=[1, 1], scale=1.0, sampling=-1, aligned=True),
    dict(B=2, C=3, H=7, W=9, n=18, out=[1, 1], scale=1.0, sampling=-1, aligned=False),
    dict(B=3, C=4, H=8, W=8, n=24, out=[2, 3], scale=0.5, sampling=-1, aligned=True),
    dict(B=3, C=4, H=8, W=8, n=24, out=[4, 4], scale=0.25, sampling=-1, aligned=False),
    dict(B=2, C=5, H=6, W=5, n=12, out=[3, 2], scale=1.0, sampling=2, aligned=True),
    dict(B=2, C=2, H=12, W=12, n=12, out=[7, 7], scale=1.0, sampling=-1, aligned=True),
    dict(B=1, C=3, H=5, W=6, n=12, out=[8, 8], scale=1.0, sampling=-1, aligned=False),
]


def roi_cases():
    rng = np.random.default_rng(7)
    tensors, meta = {}, []
    for i, c in enumerate(ROI_CASES):
        x = torch.randn(c["B"], c["C"], c["H"], c["W"], dtype=torch.float32, requires_grad=True)
        boxes = torch.from_numpy(roi_boxes(rng, c["n"], c["H"], c["W"], c["scale"], c["aligned"]))
        idx = torch.from_numpy(rng.integers(0, c["B"], c["n"]).astype(np.int32))
        rois = torch.cat([idx[:, None].float(), boxes], 1)
        y = roi_align(x, rois, output_size=tuple(c["out"]), spatial_scale=c["scale"],
                      sampling_ratio=c["sampling"], aligned=c["aligned"])
        g = torch.randn_like(y)
        (y * g).sum().backward()
        p = f"case{i}."
        tensors[p + "features"] = x.detach().permute(0, 2, 3, 1)  # NHWC
        tensors[p + "boxes"] = boxes
        tensors[p + "box_index"] = idx
        tensors[p + "out"] = y.detach().permute(0, 2, 3, 1)  # [N, oh, ow, C]
        tensors[p + "dout"] = g.permute(0, 2, 3, 1)
        tensors[p + "dfeatures"] = x.grad.permute(0, 2, 3, 1)
        meta.append(c)
    save("roi_align", tensors, {"cases": meta})


# --- mask pooling ----------------------------------------------------------------------------------

def mask_pool():
    B, C, H, W, M = 3, 4, 5, 6, 7
    x = torch.randn(B, H, W, C, requires_grad=True)
    masks = (torch.rand(M, H, W) > 0.6).float()
    masks[2] = 0  # empty mask: the 1e-12 guard gives zeros
    masks[4] = 1
    idx = torch.tensor([2, 0, 0, 1, 2, 1, 0], dtype=torch.int32)
    f = x[idx.long()]  # [M, H, W, C]
    y = (f * masks[..., None]).sum((1, 2)) / (masks.sum((1, 2))[:, None] + 1e-12)
    g = torch.randn_like(y)
    (y * g).sum().backward()
    save("mask_pool", {"features": x.detach(), "masks": masks, "mask_index": idx, "out": y.detach(),
                       "dout": g, "dfeatures": x.grad})


# --- region classification -------------------------------------------------------------------------

def l2(a):
    return a / np.linalg.norm(a, axis=-1, keepdims=True)


def region_classification():
    rng = np.random.default_rng(11)
    N, E, C = 240, 16, 14
    is_thing = np.array([1] * 8 + [0] * 6, dtype=np.int32)
    text = l2(rng.standard_normal((C, E))).astype(np.float32)
    present = [c for c in range(C) if c not in (3, 11)]  # classes 3 (thing) and 11 (stuff) absent
    labels = rng.choice(present, N).astype(np.int32)
    # embeddings near their class's text, with noise, so accuracies are neither 0 nor 1
    emb = l2(text[labels] + 0.35 * rng.standard_normal((N, E))).astype(np.float32)
    logits = emb.astype(np.float64) @ text.astype(np.float64).T
    order = np.argsort(-logits, axis=1, kind="stable")
    res = {}
    for k in (1, 3, 5):
        hit = (order[:, :k] == labels[:, None]).any(1)
        for part, flag in (("thing", 1), ("stuff", 0)):
            accs = [hit[labels == c].mean() for c in range(C) if is_thing[c] == flag and (labels == c).any()]
            res[f"{part}.top{k}"] = float(np.mean(accs))
            res[f"{part}.classes"] = len(accs)
    save("region_classification", {"embeddings": emb, "text": text, "labels": labels, "is_thing": is_thing},
         res)


# --- semantic segmentation -------------------------------------------------------------------------

def segmentation():
    rng = np.random.default_rng(5)
    C, VOID = 6, 255
    preds, gts = [], []
    shapes = [(9, 7), (5, 11), (8, 8)]
    for h, w in shapes:
        gt = rng.choice([0, 1, 2, 4, VOID], size=(h, w), p=[0.3, 0.25, 0.2, 0.15, 0.1])  # class 3, 5 never in gt
        pred = np.where(rng.random((h, w)) < 0.6, gt, rng.choice([0, 1, 2, 4, 5], size=(h, w)))  # 5 only as FP
        pred = np.where(pred == VOID, 1, pred)
        preds.append(pred.astype(np.int32).ravel())
        gts.append(gt.astype(np.int32).ravel())
    tp, fp, fn = np.zeros(C), np.zeros(C), np.zeros(C)
    correct = total = 0
    for p, g in zip(preds, gts):
        keep = g != VOID
        p, g = p[keep], g[keep]
        for c in range(C):
            tp[c] += np.sum((p == c) & (g == c))
            fp[c] += np.sum((p == c) & (g != c))
            fn[c] += np.sum((p != c) & (g == c))
        correct += np.sum(p == g)
        total += g.size
    union = tp + fp + fn
    with np.errstate(invalid="ignore"):
        iou = tp / union
    meta = {"num_classes": C, "void": VOID, "shapes": shapes, "iou": [None if np.isnan(v) else float(v) for v in iou],
            "miou": float(np.nanmean(iou)), "pixel_accuracy": float(correct / total)}
    tensors = {}
    for i, (p, g) in enumerate(zip(preds, gts)):
        tensors[f"pred{i}"] = p
        tensors[f"gt{i}"] = g

    # MaskCLIP-style dense prediction: L2 tokens, cosine logits, bilinear upsampling, argmax.
    Hd, Wd, E, K, Ho, Wo = 5, 4, 8, 5, 13, 11
    dense = torch.randn(2, Hd, Wd, E)
    text = F.normalize(torch.randn(K, E), dim=-1)
    logits = torch.einsum("bhwe,ke->bkhw", F.normalize(dense, dim=-1), text)
    up = F.interpolate(logits, size=(Ho, Wo), mode="bilinear", align_corners=False)
    tensors["dense"] = dense
    tensors["dense_text"] = text
    tensors["dense_pred"] = up.argmax(1).int()  # [2, Ho, Wo]
    meta["dense_out"] = [Ho, Wo]
    save("segmentation", tensors, meta)


# --- Hungarian, k-means, probe ---------------------------------------------------------------------

HUNGARIAN_SHAPES = [(1, 1), (3, 5), (5, 3), (7, 7), (10, 4), (4, 10), (12, 12), (6, 9)]


def hungarian():
    rng = np.random.default_rng(3)
    tensors, meta = {}, []
    for i, (r, c) in enumerate(HUNGARIAN_SHAPES):
        ints = i % 3 == 2  # integer costs: ties, so only the optimum is compared, not the indices
        cost = rng.integers(0, 6, (r, c)).astype(np.float32) if ints else rng.standard_normal((r, c)).astype(np.float32)
        maximize = i % 2 == 1
        rows, cols = linear_sum_assignment(cost.astype(np.float64), maximize=maximize)
        tensors[f"cost{i}"] = cost
        tensors[f"rows{i}"] = rows.astype(np.int32)
        tensors[f"cols{i}"] = cols.astype(np.int32)
        meta.append({"shape": [r, c], "maximize": maximize, "ties": ints,
                     "total": float(cost.astype(np.float64)[rows, cols].sum())})
    save("hungarian", tensors, {"cases": meta})


def lloyd(points, init, max_iter=100):
    """Plain Lloyd: nearest centroid (first index on ties), mean of members, empty clusters keep theirs."""
    x = points.astype(np.float64)
    cen = init.astype(np.float64).copy()
    assign = None
    for it in range(1, max_iter + 1):
        d = ((x[:, None, :] - cen[None, :, :]) ** 2).sum(-1)
        new = d.argmin(1)
        if assign is not None and np.array_equal(new, assign):
            return cen, assign, it - 1, True
        assign = new
        for j in range(len(cen)):
            if (assign == j).any():
                cen[j] = x[assign == j].mean(0)
    return cen, assign, max_iter, False


def kmeans_probe():
    rng = np.random.default_rng(9)
    # k-means: 3 overlapping blobs in 4-D, deliberately poor initial centroids
    centers = rng.standard_normal((3, 4)) * 2
    pts = np.concatenate([centers[j] + rng.standard_normal((30, 4)) for j in range(3)]).astype(np.float32)
    pts = pts[rng.permutation(len(pts))]
    init = pts[[0, 1, 2, 3]].copy()  # k = 4 > 3 blobs
    cen, assign, iters, conv = lloyd(pts, init)
    tensors = {"points": pts, "init": init, "centroids": cen, "assign": assign.astype(np.int32)}
    meta = {"iterations": iters, "converged": conv}

    # probe: 8×8 token grid, 3 GT classes + void, tokens = class prototype + noise; k = 4 clusters
    h = w = 8
    gt = np.zeros((h, w), np.int32)
    gt[:, 4:] = 1
    gt[5:, :] = 2
    gt[0, 0] = -1  # void
    protos = rng.standard_normal((3, 6)) * 1.5
    tok = (protos[np.maximum(gt, 0)] + 0.9 * rng.standard_normal((h, w, 6))).astype(np.float32).reshape(-1, 6)
    pinit = tok[[9, 10, 60, 30]].copy()
    pcen, passign, _, _ = lloyd(tok, pinit)
    labels = gt.ravel()
    valid = labels >= 0
    overlap = np.zeros((4, 3))
    for a, g in zip(passign[valid], labels[valid]):
        overlap[a, g] += 1
    rows, cols = linear_sum_assignment(overlap, maximize=True)
    cmap = -np.ones(4, np.int64)
    cmap[rows] = cols
    pred = cmap[passign]
    ious = []
    for c in range(3):
        p, g = pred[valid] == c, labels[valid] == c
        u = np.sum(p | g)
        ious.append(np.sum(p & g) / u)
    tensors.update({"probe_tokens": tok, "probe_labels": labels, "probe_init": pinit,
                    "probe_assign": passign.astype(np.int32), "probe_cluster_class": cmap.astype(np.int32)})
    meta.update({"probe_iou": [float(v) for v in ious], "probe_miou": float(np.mean(ious))})
    save("kmeans_probe", tensors, meta)


if __name__ == "__main__":
    seeded(0)
    roi_cases()
    mask_pool()
    region_classification()
    segmentation()
    hungarian()
    kmeans_probe()
