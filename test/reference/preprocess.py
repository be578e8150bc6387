"""Reference model inputs for stdlib/data/preprocess.ts (test/data/preprocess.test.ts) and the image
path of `scdx embed` (test/runtime/embed-cli.test.ts).

- hf_*: Hugging Face CLIPImageProcessor semantics written out with PIL: shortest edge -> size.shortest_edge
  (the long side truncated), PIL bicubic, centre crop at floor((h - crop) / 2), x / 255, (x - mean) / std.
- tv_*: OpenAI's preprocessing with torchvision calls: Resize(S, bicubic) + CenterCrop(S) (offsets rounded
  half to even) + ToTensor + Normalize(CLIP mean/std).
- exact_*: size {height, width} without crop: PIL resize straight to that size.

    /usr/bin/python3 test/reference/preprocess.py   ->   test/fixtures/reference/preprocess.safetensors
"""
import numpy as np
import torchvision.transforms.functional as F
from PIL import Image

from common import save, seeded

CLIP_MEAN = (0.48145466, 0.4578275, 0.40821073)
CLIP_STD = (0.26862954, 0.26130258, 0.27577711)
HF_CFG = {"do_resize": True, "size": {"shortest_edge": 20}, "resample": 3, "do_center_crop": True,
          "crop_size": {"height": 16, "width": 16}, "do_rescale": True, "rescale_factor": 1 / 255,
          "do_normalize": True, "image_mean": [0.5, 0.4, 0.3], "image_std": [0.2, 0.25, 0.3],
          "image_processor_type": "CLIPImageProcessor"}
EXACT_CFG = {"size": {"height": 16, "width": 12}, "do_center_crop": False, "image_mean": list(CLIP_MEAN), "image_std": list(CLIP_STD)}


def photo(h, w, seed):
    rng = np.random.RandomState(seed)
    yy, xx = np.mgrid[0:h, 0:w]
    base = np.stack([xx * 7, yy * 9, (xx + 2 * yy) * 3], -1).astype(np.float64)
    base[:, w // 2:] += 80
    return np.clip(base + rng.randint(-40, 41, base.shape), 0, 255).astype(np.uint8)


def normalize(u8, mean, std):
    x = u8.astype(np.float64) / 255.0
    return ((x - np.array(mean)) / np.array(std)).astype(np.float32)  # HWC


def hf(u8, cfg):
    pil = Image.fromarray(u8)
    w, h = pil.size
    s = cfg["size"]["shortest_edge"]
    nh, nw = (s, int(s * w / h)) if h <= w else (int(s * h / w), s)
    r = np.asarray(pil.resize((nw, nh), Image.BICUBIC))
    ch, cw = cfg["crop_size"]["height"], cfg["crop_size"]["width"]
    top, left = (nh - ch) // 2, (nw - cw) // 2
    return normalize(r[top:top + ch, left:left + cw], cfg["image_mean"], cfg["image_std"])


def tv(u8, s):
    t = F.to_tensor(F.center_crop(F.resize(Image.fromarray(u8), s, F.InterpolationMode.BICUBIC), s))
    return F.normalize(t, CLIP_MEAN, CLIP_STD).permute(1, 2, 0).contiguous()


def main():
    seeded(0)
    a, b = photo(23, 31, 1), photo(23, 28, 2)  # b: 16-px resize gives a 19-px long side, crop offset 1.5
    exact = Image.fromarray(a).resize((EXACT_CFG["size"]["width"], EXACT_CFG["size"]["height"]), Image.BICUBIC)
    save("preprocess", {
        "img_a": a, "img_b": b,
        "hf_a": hf(a, HF_CFG), "hf_b_t": hf(b.transpose(1, 0, 2).copy(), HF_CFG),
        "tv_a": tv(a, 16), "tv_b": tv(b, 16), "tv_b_t": tv(b.transpose(1, 0, 2).copy(), 16),
        "exact_a": normalize(np.asarray(exact), CLIP_MEAN, CLIP_STD),
    }, {"hf_config": HF_CFG, "exact_config": EXACT_CFG})


if __name__ == "__main__":
    main()
