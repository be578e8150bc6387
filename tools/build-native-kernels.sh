#!/usr/bin/env bash
# Builds the native backend's fused kernels (stdlib/tensor/native/c/scdx-kernels.c) into the
# committed shared library that `npm ci` users get without a compiler. Reproducible: no build id, no
# paths, no timestamps; `npm test` rebuilds it when gcc is present and checks the bytes are equal.
#   tools/build-native-kernels.sh [OUT]   (default: stdlib/tensor/native/prebuilt/linux-x64/libscdx-kernels.so)
# Target x86-64-v3 (AVX2 + FMA: Intel Haswell, AMD Zen and later); other CPUs use the wasm backend.
set -euo pipefail
cd "$(dirname "$0")/.."
src=stdlib/tensor/native/c/scdx-kernels.c
out=${1:-stdlib/tensor/native/prebuilt/linux-x64/libscdx-kernels.so}
mkdir -p "$(dirname "$out")"
# -fno-trapping-math lets the clamps in exp vectorise; no -ffast-math: the arithmetic stays as written.
gcc -O3 -march=x86-64-v3 -mtune=generic -fPIC -shared -fno-math-errno -fno-trapping-math \
  -fno-ident -ffile-prefix-map="$PWD"=. -Wl,--build-id=none -Wl,-s -nostartfiles \
  -o "$out" "$src"
echo "$out ($(gcc -dumpfullversion), $(wc -c <"$out") bytes)"
