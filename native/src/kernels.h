// The math of the native kernels over raw float pointers: batched GEMM through OpenBLAS, and fused
// elementwise kernels (GELU, LayerNorm, masked softmax, AdamW) spread over the thread pool.
#pragma once

#include <cstdint>

#include "thread-pool.h"

namespace tunegraph {

/** One operand of a batched GEMM: batch item i = i1·count2 + i2 starts at base + i1·stride1 + i2·stride2 (floats). */
struct Operand {
  float* base;
  long ld;
  long stride1;
  long stride2;
};

/** C[i] = alpha·op(A[i])·op(B[i]) + beta·C[i] (+ bias row) for every batch item, row-major. */
struct GemmSpec {
  bool transA, transB;
  long m, n, k;
  float alpha, beta;
  Operand a, b, c;
  long count1, count2;
  const float* bias;  // [n] added to every row of C (with beta treated as 0 before it), or null
};

void gemm(ThreadPool& pool, const GemmSpec& s);

/** y = 0.5·x·(1 + erf(x/√2)). */
void geluForward(ThreadPool& pool, const float* x, float* y, long n);
/** dx = dy·(Φ(x) + x·φ(x)). */
void geluBackward(ThreadPool& pool, const float* x, const float* dy, float* dx, long n);

/** LayerNorm over rows of width h: xhat = (x−mean)·rstd, y = xhat·g + b; xhat and rstd kept for backward. */
void layerNormForward(ThreadPool& pool, const float* x, const float* g, const float* b, float* y, float* xhat, float* rstd,
                      long rows, long h, float eps);
/** dx = rstd·(dxhat − mean(dxhat) − xhat·mean(dxhat·xhat)) with dxhat = dy·g; dg = Σ dy·xhat, db = Σ dy. */
void layerNormBackward(ThreadPool& pool, const float* dy, const float* xhat, const float* g, const float* rstd, float* dx,
                       float* dg, float* db, long rows, long h);

/**
 * Softmax over rows of length t of scale·s + mask: rows are grouped rowsPerItem per batch item and
 * mask (if not null) holds one additive row of length t per batch item ([B, 1, 1, T] broadcast).
 */
void softmaxForward(ThreadPool& pool, const float* s, float* p, const float* mask, float scale, long rows, long t,
                    long rowsPerItem);
/** ds = scale·p·(dp − Σ dp·p) row by row (dp may alias ds). */
void softmaxBackward(ThreadPool& pool, const float* dp, const float* p, float* ds, float scale, long rows, long t);

/** out[c] = Σ_r x[r, c]. */
void columnSums(ThreadPool& pool, const float* x, float* out, long rows, long cols);

/** out = a ⊙ b, elementwise. */
void multiply(ThreadPool& pool, const float* a, const float* b, float* out, long n);

/** out = x · keep · scale with keep a 0/1 byte mask (inverted dropout). */
void maskedScale(ThreadPool& pool, const float* x, const uint8_t* keep, float* out, float scale, long n);

/** In-place AdamW (torch semantics): p·=decay; m,v updated; p −= stepSize·m/(√v/sqrtBc2 + eps). */
void adamw(ThreadPool& pool, float* p, float* m, float* v, const float* g, long n, float beta1, float beta2, float decay,
           float stepSize, float sqrtBc2, float eps);

/**
 * Mean cross-entropy of logits [rows, c] against labels, rows labelled ignoreIndex left out (loss 0
 * when none is kept); a label outside [0, c) counts as a kept row contributing 0. Returns the loss.
 */
float crossEntropy(ThreadPool& pool, const float* logits, const int32_t* labels, long rows, long c, int32_t ignoreIndex);
/** dlogits = dy·(softmax(logits) − onehot(label)) / kept rows; 0 on ignored or out-of-range rows. */
void crossEntropyBackward(ThreadPool& pool, const float* logits, const int32_t* labels, float dy, float* dlogits, long rows, long c,
                          int32_t ignoreIndex);

/** Rows of out[N, H] += rows of x grouped by id (ids outside [0, vocab) skipped); out is zeroed first. */
void segmentSumRows(ThreadPool& pool, const float* x, const int32_t* ids, float* out, long n, long h, long vocab);

}  // namespace tunegraph
