"""PCA of dense features as the report colours them (runtime/report/pca.ts): mean-centred sample
covariance, the top 3 eigenvectors (numpy.linalg.eigh), each with its largest-magnitude loading
positive; projections of every row. Input: L2-normalised random "features" with planted structure.

    /usr/bin/python3 test/reference/pca.py
"""
import numpy as np
import torch

from common import save


def main():
    rng = np.random.default_rng(5)
    n, d = 96, 24
    base = rng.normal(size=(4, d))
    x = base[rng.integers(0, 4, size=n)] * rng.uniform(0.5, 2.0, size=(n, 1)) + 0.3 * rng.normal(size=(n, d))
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    x = x.astype(np.float32)
    use = (rng.uniform(size=n) > 0.2).astype(np.int32)
    xs = x[use == 1].astype(np.float64)
    mean = xs.mean(0)
    cov = np.cov(xs, rowvar=False)
    w, v = np.linalg.eigh(cov)
    order = np.argsort(w)[::-1][:3]
    comps = v[:, order].T
    for c in comps:
        if c[np.argmax(np.abs(c))] < 0:
            c *= -1
    proj = (x.astype(np.float64) - mean) @ comps.T
    save("pca", {"x": torch.from_numpy(x), "use": torch.from_numpy(use), "mean": torch.from_numpy(mean),
                 "components": torch.from_numpy(comps.copy()), "variance": torch.from_numpy(w[order].copy()),
                 "projection": torch.from_numpy(proj)})


if __name__ == "__main__":
    main()
