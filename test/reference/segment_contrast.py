"""Reference value and gradient of segment_contrast (PyTorch autograd), written per image and per
segment without padding or one-hot matrices, so it shares no formulation with the tfjs code.

    /usr/bin/python3 test/reference/segment_contrast.py
"""
import torch
import torch.nn.functional as F

from common import save, seeded


def segment_contrast(dense, labels, tau):
    """dense [B,g,g,E], labels [B,T] ints 0..K_b-1 (every id present) -> mean over images."""
    B, E = dense.shape[0], dense.shape[-1]
    z = F.normalize(dense.reshape(B, -1, E), dim=-1)
    total = 0.0
    for b in range(B):
        lab = labels[b]
        ids = sorted(set(lab.tolist()))
        protos = torch.stack([F.normalize(z[b][lab == s].mean(0), dim=0) for s in ids])  # [K_b,E]
        logits = z[b] @ protos.t() / tau  # [T,K_b]
        ce = F.cross_entropy(logits, lab, reduction="none")  # [T]
        # every segment counts equally: the mean CE of each segment, averaged over segments
        total = total + torch.stack([ce[lab == s].mean() for s in ids]).mean()
    return total / B


def main():
    seeded(14)
    B, g, E = 3, 4, 8
    dense = torch.randn(B, g, g, E)
    labels = torch.zeros(B, g * g, dtype=torch.long)
    # image 0: 4 segments (quadrants); image 1: 2 segments (halves); image 2: 3 segments, one small
    for t in range(g * g):
        y, x = divmod(t, g)
        labels[0, t] = (y >= 2) * 2 + (x >= 2)
        labels[1, t] = int(x >= 2)
        labels[2, t] = 2 if (y == 0 and x == 0) else int(y >= 2)
    out = {"dense": dense, "labels": labels.to(torch.int32)}
    cases = [0.3, 0.1]
    for i, tau in enumerate(cases):
        d = dense.clone().requires_grad_(True)
        loss = segment_contrast(d, labels, tau)
        loss.backward()
        out[f"{i}.loss"] = loss
        out[f"{i}.grad"] = d.grad
    save("segment_contrast", out, meta={"tau": cases})


if __name__ == "__main__":
    main()
