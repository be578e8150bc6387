/*
 * Fused CPU kernels of the native backend, called through koffi on views of the tfjs-wasm heap.
 * Memory-bound elementwise work (GELU, LayerNorm, softmax, AdamW, bias gradients) is most of a
 * training step once matMuls run in OpenBLAS; one vectorised pass per op replaces 5–25 tfjs kernels.
 *
 * Determinism: no threads, no libm (exp is our own polynomial), reductions in a fixed 8-lane order,
 * so a given build gives the same bits on every x86-64-v3 machine. Any change to the arithmetic here
 * must bump NATIVE_KERNELS_VERSION (stdlib/tensor/backend-name.ts): it is part of every cache key.
 *
 * Build: tools/build-native-kernels.sh (the committed .so is what it produces).
 */
#include <stdint.h>
#include <string.h>

#define LANES 8

int scdx_kernels_abi(void) { return 1; }

/* e^z for z in float range, ≈ 1 ulp: z = k·ln2 + r, |r| ≤ ln2/2, degree-6 Taylor, 2^k in the exponent. */
static inline float exp_f(float z) {
  z = z < -87.0f ? -87.0f : (z > 88.0f ? 88.0f : z);
  float kf = __builtin_floorf(z * 1.44269504088896341f + 0.5f);
  float r = z - kf * 0.693145751953125f;
  r = r - kf * 1.428606765330187045e-06f;
  float p = 1.0f + r * (1.0f + r * (0.5f + r * (1.66666672e-1f + r * (4.16666679e-2f + r * (8.33333377e-3f + r * 1.38888892e-3f)))));
  int32_t bits = ((int32_t)kf + 127) << 23;
  float scale;
  memcpy(&scale, &bits, sizeof scale);
  return p * scale;
}

static const float GELU_C = 0.7978845608028654f; /* √(2/π) */
static const float GELU_A = 0.044715f;

/* tanh(u) = 1 − 2/(e^{2u} + 1): exact limits ±1, no cancellation issue at float precision. */
static inline float tanh_f(float u) { return 1.0f - 2.0f / (exp_f(2.0f * u) + 1.0f); }

void scdx_gelu_tanh(const float *restrict x, float *restrict y, int64_t n) {
  for (int64_t i = 0; i < n; i++) {
    float v = x[i];
    y[i] = 0.5f * v * (1.0f + tanh_f(GELU_C * (v + GELU_A * v * v * v)));
  }
}

void scdx_gelu_tanh_grad(const float *restrict dy, const float *restrict x, float *restrict dx, int64_t n) {
  for (int64_t i = 0; i < n; i++) {
    float v = x[i];
    float t = tanh_f(GELU_C * (v + GELU_A * v * v * v));
    dx[i] = dy[i] * (0.5f * (1.0f + t) + 0.5f * v * (1.0f - t * t) * GELU_C * (1.0f + 3.0f * GELU_A * v * v));
  }
}

/* OpenAI CLIP's quick GELU, x·σ(1.702x), and its gradient σ + 1.702·x·σ·(1 − σ). */
static const float QUICK_A = 1.702f;

void scdx_quick_gelu(const float *restrict x, float *restrict y, int64_t n) {
  for (int64_t i = 0; i < n; i++) {
    float v = x[i];
    y[i] = v / (1.0f + exp_f(-QUICK_A * v));
  }
}

void scdx_quick_gelu_grad(const float *restrict dy, const float *restrict x, float *restrict dx, int64_t n) {
  for (int64_t i = 0; i < n; i++) {
    float v = x[i];
    float s = 1.0f / (1.0f + exp_f(-QUICK_A * v));
    dx[i] = dy[i] * (s + QUICK_A * v * s * (1.0f - s));
  }
}

/* Σ x[0..d) in 8 lanes, lanes summed in a fixed order. */
static inline float sum_f(const float *restrict x, int64_t d) {
  float acc[LANES] = {0};
  int64_t j = 0;
  for (; j + LANES <= d; j += LANES)
    for (int l = 0; l < LANES; l++) acc[l] += x[j + l];
  float s = 0;
  for (int l = 0; l < LANES; l++) s += acc[l];
  for (; j < d; j++) s += x[j];
  return s;
}

static inline float sumsq_centered(const float *restrict x, int64_t d, float mean) {
  float acc[LANES] = {0};
  int64_t j = 0;
  for (; j + LANES <= d; j += LANES)
    for (int l = 0; l < LANES; l++) {
      float c = x[j + l] - mean;
      acc[l] += c * c;
    }
  float s = 0;
  for (int l = 0; l < LANES; l++) s += acc[l];
  for (; j < d; j++) s += (x[j] - mean) * (x[j] - mean);
  return s;
}

static inline float dot_f(const float *restrict a, const float *restrict b, int64_t d) {
  float acc[LANES] = {0};
  int64_t j = 0;
  for (; j + LANES <= d; j += LANES)
    for (int l = 0; l < LANES; l++) acc[l] += a[j + l] * b[j + l];
  float s = 0;
  for (int l = 0; l < LANES; l++) s += acc[l];
  for (; j < d; j++) s += a[j] * b[j];
  return s;
}

static inline float rsqrt_f(float v) { return 1.0f / __builtin_sqrtf(v); }

/* LayerNorm over rows of d: y = (x − μ)/√(σ² + eps)·g + b, biased σ² (PyTorch's). */
void scdx_layer_norm(const float *restrict x, const float *restrict g, const float *restrict b, float *restrict y,
                     int64_t rows, int64_t d, float eps) {
  for (int64_t r = 0; r < rows; r++) {
    const float *xr = x + r * d;
    float *yr = y + r * d;
    float mean = sum_f(xr, d) / (float)d;
    float rstd = rsqrt_f(sumsq_centered(xr, d, mean) / (float)d + eps);
    for (int64_t j = 0; j < d; j++) yr[j] = (xr[j] - mean) * rstd * g[j] + b[j];
  }
}

/* dx = rstd·(dy·g − mean(dy·g) − x̂·mean(dy·g·x̂)); dg = Σ_rows dy·x̂; db = Σ_rows dy. `tmp` holds 2·d floats. */
void scdx_layer_norm_grad(const float *restrict dy, const float *restrict x, const float *restrict g,
                          float *restrict dx, float *restrict dg, float *restrict db, float *restrict tmp,
                          int64_t rows, int64_t d, float eps) {
  float *gy = tmp, *xh = tmp + d;
  for (int64_t j = 0; j < d; j++) dg[j] = db[j] = 0;
  for (int64_t r = 0; r < rows; r++) {
    const float *xr = x + r * d, *dyr = dy + r * d;
    float *dxr = dx + r * d;
    float mean = sum_f(xr, d) / (float)d;
    float rstd = rsqrt_f(sumsq_centered(xr, d, mean) / (float)d + eps);
    for (int64_t j = 0; j < d; j++) {
      xh[j] = (xr[j] - mean) * rstd;
      gy[j] = dyr[j] * g[j];
      dg[j] += dyr[j] * xh[j];
      db[j] += dyr[j];
    }
    float m1 = sum_f(gy, d) / (float)d, m2 = dot_f(gy, xh, d) / (float)d;
    for (int64_t j = 0; j < d; j++) dxr[j] = rstd * (gy[j] - m1 - xh[j] * m2);
  }
}

/* Softmax over rows of d, max-subtracted. */
void scdx_softmax(const float *restrict x, float *restrict y, int64_t rows, int64_t d) {
  for (int64_t r = 0; r < rows; r++) {
    const float *xr = x + r * d;
    float *yr = y + r * d;
    float m = xr[0];
    for (int64_t j = 1; j < d; j++) m = xr[j] > m ? xr[j] : m;
    for (int64_t j = 0; j < d; j++) yr[j] = exp_f(xr[j] - m);
    float inv = 1.0f / sum_f(yr, d);
    for (int64_t j = 0; j < d; j++) yr[j] *= inv;
  }
}

/* dx = y·(dy − Σ dy·y), per row. */
void scdx_softmax_grad(const float *restrict dy, const float *restrict y, float *restrict dx, int64_t rows, int64_t d) {
  for (int64_t r = 0; r < rows; r++) {
    const float *dyr = dy + r * d, *yr = y + r * d;
    float *dxr = dx + r * d;
    float s = dot_f(dyr, yr, d);
    for (int64_t j = 0; j < d; j++) dxr[j] = yr[j] * (dyr[j] - s);
  }
}

/* Column sums of a [rows, cols] matrix (bias gradients), rows accumulated in order. */
void scdx_col_sum(const float *restrict x, float *restrict out, int64_t rows, int64_t cols) {
  for (int64_t j = 0; j < cols; j++) out[j] = 0;
  for (int64_t r = 0; r < rows; r++) {
    const float *xr = x + r * cols;
    for (int64_t j = 0; j < cols; j++) out[j] += xr[j];
  }
}

/*
 * One AdamW update, as torch.optim.AdamW: θ ← θ·(1 − lr·wd); m ← β1·m + (1−β1)·g;
 * v ← β2·v + (1−β2)·g²; θ ← θ − (lr/c1)·m/(√v/√c2 + eps). `decay` is 1 − lr·wd (1 when not decayed).
 */
void scdx_adamw(const float *restrict p, const float *restrict g, const float *restrict m, const float *restrict v,
                float *restrict p1, float *restrict m1, float *restrict v1, int64_t n, float b1, float b2, float decay,
                float step, float sqrt_c2, float eps) {
  for (int64_t i = 0; i < n; i++) {
    float gi = g[i];
    float mi = b1 * m[i] + (1.0f - b1) * gi;
    float vi = b2 * v[i] + (1.0f - b2) * (gi * gi);
    m1[i] = mi;
    v1[i] = vi;
    p1[i] = p[i] * decay - step * (mi / (__builtin_sqrtf(vi) / sqrt_c2 + eps));
  }
}
