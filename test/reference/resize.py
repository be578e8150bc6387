"""Reference fixtures for stdlib/data/resize.ts and letterbox.ts (test/data/resize.test.ts).

    /usr/bin/python3 test/reference/resize.py   →   test/fixtures/reference/resize.safetensors

- w_plain_<in>_<out>, w_aa_<in>_<out>: the dense [out, in] matrices of torch F.interpolate
  (bicubic, align_corners=False, without / with antialias), read off by resizing one-hot rows.
- img_*: a float HWC image resized by F.interpolate both ways (torch on float: no rounding).
- pil_*: an 8-bit image resized by PIL's Image.resize(BICUBIC) (what CLIP's preprocessing does).
- student/teacher/center: CLIPSelf's ResizeLongest (pad bottom/right) and ResizeMaxSize (pad centred),
  open_clip's Resize(S)+CenterCrop(S), each followed by ToTensor + CLIP Normalize, re-written here from
  torchvision calls as in open_clip/transform.py, on PIL images.
- mask: COCOPanopticDataset's mask path: ResizeLongest(S) on a float tensor (torchvision's tensor
  path: bicubic, no antialias), pad bottom/right with 0, then > 0.
"""
import numpy as np
import torch
import torch.nn.functional as Fn
import torchvision.transforms.functional as F
from PIL import Image

from common import save, seeded

MEAN = (0.48145466, 0.4578275, 0.40821073)
STD = (0.26862954, 0.26130258, 0.27577711)
PAIRS = [(14, 64), (24, 64), (64, 14), (7, 5), (5, 7), (37, 11), (11, 37), (50, 7), (1, 4), (4, 1), (13, 13), (100, 33)]


def weights(n_in, n_out, aa):
    eye = torch.eye(n_in, dtype=torch.float32).reshape(n_in, 1, 1, n_in)
    out = Fn.interpolate(eye, size=(1, n_out), mode="bicubic", align_corners=False, antialias=aa)
    return out.reshape(n_in, n_out).T.contiguous()  # [out, in]


def to_model(pil):
    return F.normalize(F.to_tensor(pil), MEAN, STD).permute(1, 2, 0).contiguous()  # HWC


def resize_longest(pil, s):  # open_clip ResizeLongest: pad right/bottom
    w, h = pil.size
    scale = s / float(max(h, w))
    nh, nw = round(h * scale), round(w * scale)
    img = F.resize(pil, [nh, nw], F.InterpolationMode.BICUBIC)
    return F.pad(img, padding=[0, 0, s - nw, s - nh], fill=0)


def resize_max_size(pil, s):  # open_clip ResizeMaxSize: pad centred
    w, h = pil.size
    scale = s / float(max(h, w))
    nh, nw = round(h * scale), round(w * scale)
    img = F.resize(pil, [nh, nw], F.InterpolationMode.BICUBIC)
    ph, pw = s - nh, s - nw
    return F.pad(img, padding=[pw // 2, ph // 2, pw - pw // 2, ph - ph // 2], fill=0)


def center(pil, s):  # open_clip's eval transform without resize_longest_max
    return F.center_crop(F.resize(pil, s, F.InterpolationMode.BICUBIC), s)


def main():
    seeded(0)
    t = {}
    for n_in, n_out in PAIRS:
        t[f"w_plain_{n_in}_{n_out}"] = weights(n_in, n_out, False)
        t[f"w_aa_{n_in}_{n_out}"] = weights(n_in, n_out, True)

    img = torch.rand(3, 13, 17)  # CHW, in [0, 1] so float32 rounding stays far below the 1e-4 tolerance
    t["img"] = img.permute(1, 2, 0)
    for name, size in [("up", (29, 31)), ("down", (5, 7)), ("mixed", (6, 40))]:
        for aa in (False, True):
            out = Fn.interpolate(img[None], size=size, mode="bicubic", align_corners=False, antialias=aa)[0]
            t[f"img_{name}_{'aa' if aa else 'plain'}"] = out.permute(1, 2, 0)

    # A photo-like 8-bit image: smooth gradients, an edge and noise, so both kernels have work to do.
    yy, xx = np.mgrid[0:23, 0:31]
    base = np.stack([xx * 8, yy * 11, (xx + yy) * 4], -1).astype(np.float64)
    base[:, 15:] += 90
    u8 = np.clip(base + np.random.randint(-30, 31, base.shape), 0, 255).astype(np.uint8)
    t["u8"] = u8
    pil = Image.fromarray(u8)
    for name, (w, h) in [("up", (57, 45)), ("down", (9, 7)), ("wide", (64, 23)), ("tall", (31, 70)), ("mixed", (12, 50))]:
        t[f"pil_{name}"] = np.asarray(pil.resize((w, h), Image.BICUBIC))
    t["student"] = to_model(resize_longest(pil, 48))
    t["teacher"] = to_model(resize_max_size(pil, 40))
    t["center"] = to_model(center(pil, 20))
    t["center_odd"] = to_model(center(Image.fromarray(u8[:, :28]), 21))

    mask = np.zeros((37, 53), np.float32)
    mask[5:20, 8:30] = 1
    mask[30:33, 40:52] = 1
    mask[22, 2] = 1
    m = torch.from_numpy(mask)[None]
    s = 16
    scale = s / float(max(37, 53))
    nh, nw = round(37 * scale), round(53 * scale)
    r = F.resize(m, [nh, nw], F.InterpolationMode.BICUBIC)
    r = F.pad(r, padding=[0, 0, s - nw, s - nh], fill=0)
    t["mask"] = mask.astype(np.uint8)
    t["mask_16"] = (r[0] > 0).numpy().astype(np.uint8)
    t["mask_16_float"] = r[0]
    save("resize", t, {"pairs": PAIRS, "mask_size": s})


if __name__ == "__main__":
    main()
