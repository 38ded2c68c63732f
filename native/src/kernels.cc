// Native kernels: GEMM partitioned over the pool (OpenBLAS itself runs one thread per call), and
// fused elementwise kernels written so that g++ -O3 vectorises them (no branches in the inner loops).
#include "kernels.h"

#include <cblas.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <mutex>
#include <vector>

namespace tunegraph {

namespace {

/** expf to ~1 ulp (Cephes' polynomial), branch-free so loops over it vectorise. */
inline float expApprox(float x) {
  x = std::min(88.3762626647949f, std::max(-87.3365447504f, x));
  float n = std::floor(x * 1.44269504088896341f + 0.5f);
  float r = x - n * 0.693359375f + n * 2.12194440e-4f;
  float p = 1.9875691500E-4f;
  p = p * r + 1.3981999507E-3f;
  p = p * r + 8.3334519073E-3f;
  p = p * r + 4.1665795894E-2f;
  p = p * r + 1.6666665459E-1f;
  p = p * r + 5.0000001201E-1f;
  float e = p * r * r + r + 1.0f;
  int32_t bits = (static_cast<int32_t>(n) + 127) << 23;
  float scale;
  std::memcpy(&scale, &bits, sizeof scale);
  return e * scale;
}

/** erf by Abramowitz–Stegun 7.1.26 (absolute error < 1.5e-7), vectorisable. */
inline float erfApprox(float x) {
  float ax = std::fabs(x);
  float t = 1.0f / (1.0f + 0.3275911f * ax);
  float poly = ((((1.061405429f * t - 1.453152027f) * t + 1.421413741f) * t - 0.284496736f) * t + 0.254829592f) * t;
  float y = 1.0f - poly * expApprox(-ax * ax);
  return std::copysign(y, x);
}

constexpr float kSqrtHalf = 0.70710678118654752f;
constexpr float kInvSqrt2Pi = 0.39894228040143268f;
// Work below ~0.1 ms stays on one thread: waking the other costs ~10 µs, and on a busy machine a
// worker that took a chunk and was preempted holds the caller up for a whole time slice.
constexpr long kElementGrain = 1 << 17;

float* offsetOf(const Operand& o, long i, long count2) { return o.base + (i / count2) * o.stride1 + (i % count2) * o.stride2; }

void gemmBlock(const GemmSpec& s, long item, long m0, long m1, long n0, long n1) {
  const float* a = offsetOf(s.a, item, s.count2);
  const float* b = offsetOf(s.b, item, s.count2);
  float* c = offsetOf(s.c, item, s.count2);
  a += s.transA ? m0 : m0 * s.a.ld;
  b += s.transB ? n0 * s.b.ld : n0;
  c += m0 * s.c.ld + n0;
  float beta = s.beta;
  if (s.bias != nullptr) {
    for (long r = 0; r < m1 - m0; r++) std::memcpy(c + r * s.c.ld, s.bias + n0, sizeof(float) * (n1 - n0));
    beta = 1.0f;
  }
  if (s.k == 0) {
    if (beta == 0.0f)
      for (long r = 0; r < m1 - m0; r++) std::memset(c + r * s.c.ld, 0, sizeof(float) * (n1 - n0));
    return;
  }
  cblas_sgemm(CblasRowMajor, s.transA ? CblasTrans : CblasNoTrans, s.transB ? CblasTrans : CblasNoTrans, static_cast<int>(m1 - m0),
              static_cast<int>(n1 - n0), static_cast<int>(s.k), s.alpha, a, static_cast<int>(s.a.ld), b, static_cast<int>(s.b.ld),
              beta, c, static_cast<int>(s.c.ld));
}

/**
 * Reductions over rows in a fixed number of blocks, each writing its own partial, summed in block
 * order afterwards: the result does not depend on which thread ran what (bit-identical reruns).
 */
constexpr long kReduceBlocks = 16;

template <typename F>
void forRowBlocks(ThreadPool& pool, long rows, long minRowsPerBlock, F fn) {
  const long blocks = std::max<long>(1, std::min(kReduceBlocks, rows / std::max<long>(1, minRowsPerBlock)));
  pool.parallelFor(blocks, 1, [&](long b0, long b1) {
    for (long b = b0; b < b1; b++) fn(b, rows * b / blocks, rows * (b + 1) / blocks);
  });
}

}  // namespace

void gemm(ThreadPool& pool, const GemmSpec& s) {
  const long batch = s.count1 * s.count2;
  if (batch == 0 || s.m == 0 || s.n == 0) return;
  const double flops = 2.0 * s.m * s.n * std::max<long>(1, s.k) * batch;
  const long threads = pool.size();
  if (threads == 1 || flops < 4e6) {
    for (long i = 0; i < batch; i++) gemmBlock(s, i, 0, s.m, 0, s.n);
    return;
  }
  // Many equal items: one thread per share of items. Few items: split each item's rows (or columns).
  if (batch % threads == 0 || batch >= 8 * threads) {
    pool.parallelFor(batch, 1, [&](long i0, long i1) {
      for (long i = i0; i < i1; i++) gemmBlock(s, i, 0, s.m, 0, s.n);
    });
    return;
  }
  // Each block repacks the other operand's full panel, so blocks stay large: two per thread.
  for (long i = 0; i < batch; i++) {
    if (s.m >= s.n) {
      pool.parallelFor(s.m, std::max<long>(16, s.m / (2 * threads)), [&](long r0, long r1) { gemmBlock(s, i, r0, r1, 0, s.n); });
    } else {
      pool.parallelFor(s.n, std::max<long>(16, s.n / (2 * threads)), [&](long c0, long c1) { gemmBlock(s, i, 0, s.m, c0, c1); });
    }
  }
}

void geluForward(ThreadPool& pool, const float* x, float* y, long n) {
  pool.parallelFor(n, kElementGrain, [&](long i0, long i1) {
    for (long i = i0; i < i1; i++) y[i] = 0.5f * x[i] * (1.0f + erfApprox(x[i] * kSqrtHalf));
  });
}

void geluBackward(ThreadPool& pool, const float* x, const float* dy, float* dx, long n) {
  pool.parallelFor(n, kElementGrain, [&](long i0, long i1) {
    for (long i = i0; i < i1; i++) {
      float v = x[i];
      float cdf = 0.5f * (1.0f + erfApprox(v * kSqrtHalf));
      float pdf = kInvSqrt2Pi * expApprox(-0.5f * v * v);
      dx[i] = dy[i] * (cdf + v * pdf);
    }
  });
}

void layerNormForward(ThreadPool& pool, const float* x, const float* g, const float* b, float* y, float* xhat, float* rstd,
                      long rows, long h, float eps) {
  pool.parallelFor(rows, std::max<long>(1, kElementGrain / std::max<long>(1, h)), [&](long r0, long r1) {
    for (long r = r0; r < r1; r++) {
      const float* xr = x + r * h;
      float sum = 0.0f;
#pragma omp simd reduction(+ : sum)
      for (long j = 0; j < h; j++) sum += xr[j];
      const float mean = sum / h;
      float sq = 0.0f;
#pragma omp simd reduction(+ : sq)
      for (long j = 0; j < h; j++) sq += (xr[j] - mean) * (xr[j] - mean);
      const float rs = 1.0f / std::sqrt(sq / h + eps);
      float* hr = xhat + r * h;
      float* yr = y + r * h;
      for (long j = 0; j < h; j++) {
        float xh = (xr[j] - mean) * rs;
        hr[j] = xh;
        yr[j] = xh * g[j] + b[j];
      }
      rstd[r] = rs;
    }
  });
}

void layerNormBackward(ThreadPool& pool, const float* dy, const float* xhat, const float* g, const float* rstd, float* dx,
                       float* dg, float* db, long rows, long h) {
  std::vector<float> pg(kReduceBlocks * h, 0.0f), pb(kReduceBlocks * h, 0.0f);
  forRowBlocks(pool, rows, std::max<long>(1, 4096 / std::max<long>(1, h)), [&](long block, long r0, long r1) {
    float* bg = pg.data() + block * h;
    float* bb = pb.data() + block * h;
    for (long r = r0; r < r1; r++) {
      const float* dyr = dy + r * h;
      const float* hr = xhat + r * h;
      float m1 = 0.0f, m2 = 0.0f;
#pragma omp simd reduction(+ : m1, m2)
      for (long j = 0; j < h; j++) {
        float d = dyr[j] * g[j];
        m1 += d;
        m2 += d * hr[j];
        bg[j] += dyr[j] * hr[j];
        bb[j] += dyr[j];
      }
      m1 /= h;
      m2 /= h;
      const float rs = rstd[r];
      float* dxr = dx + r * h;
      for (long j = 0; j < h; j++) dxr[j] = rs * (dyr[j] * g[j] - m1 - hr[j] * m2);
    }
  });
  std::fill(dg, dg + h, 0.0f);
  std::fill(db, db + h, 0.0f);
  for (long b = 0; b < kReduceBlocks; b++) {
    for (long j = 0; j < h; j++) {
      dg[j] += pg[b * h + j];
      db[j] += pb[b * h + j];
    }
  }
}

void softmaxForward(ThreadPool& pool, const float* s, float* p, const float* mask, float scale, long rows, long t,
                    long rowsPerItem) {
  pool.parallelFor(rows, std::max<long>(1, kElementGrain / std::max<long>(1, t)), [&](long r0, long r1) {
    for (long r = r0; r < r1; r++) {
      const float* sr = s + r * t;
      float* pr = p + r * t;
      const float* mr = mask != nullptr ? mask + (r / rowsPerItem) * t : nullptr;
      float mx = -INFINITY;
      if (mr != nullptr) {
        for (long j = 0; j < t; j++) pr[j] = sr[j] * scale + mr[j];
      } else {
        for (long j = 0; j < t; j++) pr[j] = sr[j] * scale;
      }
#pragma omp simd reduction(max : mx)
      for (long j = 0; j < t; j++) mx = std::max(mx, pr[j]);
      float sum = 0.0f;
#pragma omp simd reduction(+ : sum)
      for (long j = 0; j < t; j++) {
        float e = expApprox(pr[j] - mx);
        pr[j] = e;
        sum += e;
      }
      const float inv = 1.0f / sum;
      for (long j = 0; j < t; j++) pr[j] *= inv;
    }
  });
}

void softmaxBackward(ThreadPool& pool, const float* dp, const float* p, float* ds, float scale, long rows, long t) {
  pool.parallelFor(rows, std::max<long>(1, kElementGrain / std::max<long>(1, t)), [&](long r0, long r1) {
    for (long r = r0; r < r1; r++) {
      const float* dpr = dp + r * t;
      const float* pr = p + r * t;
      float* dsr = ds + r * t;
      float dot = 0.0f;
#pragma omp simd reduction(+ : dot)
      for (long j = 0; j < t; j++) dot += dpr[j] * pr[j];
      for (long j = 0; j < t; j++) dsr[j] = scale * pr[j] * (dpr[j] - dot);
    }
  });
}

void columnSums(ThreadPool& pool, const float* x, float* out, long rows, long cols) {
  std::vector<float> part(kReduceBlocks * cols, 0.0f);
  forRowBlocks(pool, rows, std::max<long>(1, 4096 / std::max<long>(1, cols)), [&](long block, long r0, long r1) {
    float* p = part.data() + block * cols;
    for (long r = r0; r < r1; r++) {
      const float* xr = x + r * cols;
      for (long j = 0; j < cols; j++) p[j] += xr[j];
    }
  });
  std::fill(out, out + cols, 0.0f);
  for (long b = 0; b < kReduceBlocks; b++)
    for (long j = 0; j < cols; j++) out[j] += part[b * cols + j];
}

void multiply(ThreadPool& pool, const float* a, const float* b, float* out, long n) {
  pool.parallelFor(n, kElementGrain, [&](long i0, long i1) {
    for (long i = i0; i < i1; i++) out[i] = a[i] * b[i];
  });
}

void maskedScale(ThreadPool& pool, const float* x, const uint8_t* keep, float* out, float scale, long n) {
  pool.parallelFor(n, kElementGrain, [&](long i0, long i1) {
    for (long i = i0; i < i1; i++) out[i] = keep[i] != 0 ? x[i] * scale : 0.0f;
  });
}

void adamw(ThreadPool& pool, float* p, float* m, float* v, const float* g, long n, float beta1, float beta2, float decay,
           float stepSize, float sqrtBc2, float eps) {
  pool.parallelFor(n, kElementGrain, [=](long i0, long i1) {
    float* __restrict pp = p;
    float* __restrict mm = m;
    float* __restrict vv = v;
    const float* __restrict gg = g;
    for (long i = i0; i < i1; i++) {
      float gi = gg[i];
      float mi = beta1 * mm[i] + (1.0f - beta1) * gi;
      float vi = beta2 * vv[i] + (1.0f - beta2) * gi * gi;
      mm[i] = mi;
      vv[i] = vi;
      pp[i] = pp[i] * decay - stepSize * mi / (std::sqrt(vi) / sqrtBc2 + eps);
    }
  });
}

namespace {

long keptRows(const int32_t* labels, long rows, int32_t ignoreIndex) {
  long kept = 0;
  for (long r = 0; r < rows; r++) kept += labels[r] != ignoreIndex;
  return kept;
}

/** log Σ exp(row), stable. */
float logSumExp(const float* row, long c) {
  float mx = -INFINITY;
#pragma omp simd reduction(max : mx)
  for (long j = 0; j < c; j++) mx = std::max(mx, row[j]);
  float sum = 0.0f;
#pragma omp simd reduction(+ : sum)
  for (long j = 0; j < c; j++) sum += expApprox(row[j] - mx);
  return mx + std::log(sum);
}

}  // namespace

float crossEntropy(ThreadPool& pool, const float* logits, const int32_t* labels, long rows, long c, int32_t ignoreIndex) {
  const long kept = keptRows(labels, rows, ignoreIndex);
  std::vector<double> part(kReduceBlocks, 0.0);
  forRowBlocks(pool, rows, 1, [&](long block, long r0, long r1) {
    for (long r = r0; r < r1; r++) {
      const int32_t label = labels[r];
      if (label == ignoreIndex || label < 0 || label >= c) continue;
      const float* row = logits + r * c;
      part[block] += logSumExp(row, c) - row[label];
    }
  });
  double total = 0.0;
  for (double p : part) total += p;
  return kept == 0 ? 0.0f : static_cast<float>(total / kept);
}

void crossEntropyBackward(ThreadPool& pool, const float* logits, const int32_t* labels, float dy, float* dlogits, long rows, long c,
                          int32_t ignoreIndex) {
  const long kept = keptRows(labels, rows, ignoreIndex);
  const float scale = kept == 0 ? 0.0f : dy / kept;
  pool.parallelFor(rows, std::max<long>(1, kElementGrain / std::max<long>(1, c)), [&](long r0, long r1) {
    for (long r = r0; r < r1; r++) {
      const int32_t label = labels[r];
      float* out = dlogits + r * c;
      if (label == ignoreIndex || label < 0 || label >= c) {
        std::memset(out, 0, sizeof(float) * c);
        continue;
      }
      const float* row = logits + r * c;
      const float lse = logSumExp(row, c);
      for (long j = 0; j < c; j++) out[j] = scale * expApprox(row[j] - lse);
      out[label] -= scale;
    }
  });
}

void segmentSumRows(ThreadPool& pool, const float* x, const int32_t* ids, float* out, long n, long h, long vocab) {
  // Split by columns, so threads never add into the same element.
  pool.parallelFor(h, 16, [&](long c0, long c1) {
    for (long r = 0; r < vocab; r++) std::memset(out + r * h + c0, 0, sizeof(float) * (c1 - c0));
    for (long i = 0; i < n; i++) {
      long id = ids[i];
      if (id < 0 || id >= vocab) continue;
      const float* src = x + i * h;
      float* dst = out + id * h;
      for (long c = c0; c < c1; c++) dst[c] += src[c];
    }
  });
}

}  // namespace tunegraph
