"""Reference values of the probe bench's diagnostics (numpy, exact): same-segment AUROC over all
token pairs by direct pairwise comparison (Mann-Whitney, ties 1/2), and the Pearson correlation of
the off-diagonal upper triangles of two cosine matrices (np.corrcoef).

    /usr/bin/python3 test/reference/dense_structure.py
"""
import numpy as np
import torch

from common import save, seeded


def cos(x):
    x = x / np.linalg.norm(x, axis=1, keepdims=True)
    return x @ x.T


def auroc(scores, positive):
    p, n = scores[positive], scores[~positive]
    diff = p[:, None] - n[None, :]
    return ((diff > 0).sum() + 0.5 * (diff == 0).sum()) / (len(p) * len(n))


def main():
    seeded(7)
    n, E = 30, 6
    seg = np.repeat(np.arange(4), [10, 8, 7, 5]).astype(np.int32)
    centres = np.random.randn(4, E)
    tokens = (centres[seg] + 0.8 * np.random.randn(n, E)).astype(np.float32)
    ref = (tokens + 0.5 * np.random.randn(n, E)).astype(np.float32)
    iu = np.triu_indices(n, 1)
    s, r = cos(tokens.astype(np.float64)), cos(ref.astype(np.float64))
    a = auroc(s[iu], (seg[:, None] == seg[None, :])[iu])
    c = np.corrcoef(s[iu], r[iu])[0, 1]
    save("dense_structure", {"tokens": torch.tensor(tokens), "ref": torch.tensor(ref), "segments": torch.tensor(seg)},
         meta={"auroc": float(a), "corr": float(c)})


if __name__ == "__main__":
    main()
