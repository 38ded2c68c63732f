// Node binding of the native kernels. Every kernel works on one ArrayBuffer (tfjs-wasm's heap) at
// byte offsets, so tensors are read and written where they live, without copies; offsets and
// extents are checked against the buffer before any pointer is formed.
#include <napi.h>

#include <cblas.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>

#include "kernels.h"

extern "C" {
void openblas_set_num_threads(int);
char* openblas_get_config(void);
char* openblas_get_corename(void);
}

namespace {

using tunegraph::ThreadPool;

std::unique_ptr<ThreadPool> pool;

int threadCount() {
  const char* env = std::getenv("TUNEGRAPH_NATIVE_THREADS");
  if (env != nullptr && std::atoi(env) > 0) return std::atoi(env);
  unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : static_cast<int>(n);
}

/** The heap argument and its size in floats; false (with a JS exception pending) when it is not an ArrayBuffer. */
struct Heap {
  uint8_t* data = nullptr;
  size_t bytes = 0;
};

bool heapOf(const Napi::CallbackInfo& info, Heap& heap) {
  if (info.Length() < 1 || !info[0].IsArrayBuffer()) {
    Napi::TypeError::New(info.Env(), "tunegraph native: first argument must be the heap ArrayBuffer").ThrowAsJavaScriptException();
    return false;
  }
  auto ab = info[0].As<Napi::ArrayBuffer>();
  heap.data = static_cast<uint8_t*>(ab.Data());
  heap.bytes = ab.ByteLength();
  return true;
}

double num(const Napi::CallbackInfo& info, size_t i) { return info[i].As<Napi::Number>().DoubleValue(); }

/**
 * Pointer to `count` floats at byte offset `off`, or null after throwing when the range leaves the heap.
 * count 0 is allowed (null-free pointer to the offset).
 */
template <typename T>
T* span(const Napi::CallbackInfo& info, const Heap& heap, double off, double count, const char* what) {
  if (!(off >= 0) || std::fmod(off, static_cast<double>(sizeof(T))) != 0 || !(count >= 0) ||
      off + count * sizeof(T) > static_cast<double>(heap.bytes)) {
    std::string msg = std::string("tunegraph native: ") + what + " lies outside the heap (offset " + std::to_string(off) +
                      ", " + std::to_string(count) + " elements, heap " + std::to_string(heap.bytes) + " bytes)";
    Napi::RangeError::New(info.Env(), msg).ThrowAsJavaScriptException();
    return nullptr;
  }
  return reinterpret_cast<T*>(heap.data + static_cast<size_t>(off));
}

Napi::Value Info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto out = Napi::Object::New(env);
  out.Set("threads", pool->size());
  out.Set("blasConfig", std::string(openblas_get_config()));
  out.Set("blasCore", std::string(openblas_get_corename()));
  return out;
}

/**
 * gemm(heap, p: Float64Array) with p = [transA, transB, m, n, k, alpha, beta,
 *   aOff, lda, aStride1, aStride2, bOff, ldb, bStride1, bStride2, cOff, ldc, cStride1, cStride2,
 *   count1, count2, biasOff (−1: none)]; offsets in bytes, leading dims and strides in floats.
 */
Napi::Value Gemm(const Napi::CallbackInfo& info) {
  Heap heap;
  if (!heapOf(info, heap)) return info.Env().Undefined();
  if (info.Length() < 2 || !info[1].IsTypedArray()) {
    Napi::TypeError::New(info.Env(), "tunegraph native gemm: second argument must be a Float64Array").ThrowAsJavaScriptException();
    return info.Env().Undefined();
  }
  auto pa = info[1].As<Napi::Float64Array>();
  if (pa.ElementLength() < 22) {
    Napi::TypeError::New(info.Env(), "tunegraph native gemm: expected 22 parameters").ThrowAsJavaScriptException();
    return info.Env().Undefined();
  }
  const double* p = pa.Data();
  tunegraph::GemmSpec s{};
  s.transA = p[0] != 0;
  s.transB = p[1] != 0;
  s.m = static_cast<long>(p[2]);
  s.n = static_cast<long>(p[3]);
  s.k = static_cast<long>(p[4]);
  s.alpha = static_cast<float>(p[5]);
  s.beta = static_cast<float>(p[6]);
  s.count1 = static_cast<long>(p[19]);
  s.count2 = static_cast<long>(p[20]);
  if (s.m < 0 || s.n < 0 || s.k < 0 || s.count1 < 0 || s.count2 < 1) {
    Napi::RangeError::New(info.Env(), "tunegraph native gemm: negative size").ThrowAsJavaScriptException();
    return info.Env().Undefined();
  }
  // Extent of one stored matrix (rows·ld) and of the last batch item's start: the whole range must be in the heap.
  auto operand = [&](int at, long rows, long cols, const char* what, tunegraph::Operand& o) -> bool {
    o.ld = static_cast<long>(p[at + 1]);
    o.stride1 = static_cast<long>(p[at + 2]);
    o.stride2 = static_cast<long>(p[at + 3]);
    if (o.ld < cols || o.stride1 < 0 || o.stride2 < 0) {
      Napi::RangeError::New(info.Env(), std::string("tunegraph native gemm: bad leading dimension or stride for ") + what)
          .ThrowAsJavaScriptException();
      return false;
    }
    double last = (s.count1 - 1) * static_cast<double>(o.stride1) + (s.count2 - 1) * static_cast<double>(o.stride2);
    double extent = rows == 0 || cols == 0 || s.count1 == 0 ? 0 : last + (rows - 1) * static_cast<double>(o.ld) + cols;
    o.base = span<float>(info, heap, p[at], extent, what);
    return o.base != nullptr;
  };
  if (!operand(7, s.transA ? s.k : s.m, s.transA ? s.m : s.k, "A", s.a)) return info.Env().Undefined();
  if (!operand(11, s.transB ? s.n : s.k, s.transB ? s.k : s.n, "B", s.b)) return info.Env().Undefined();
  if (!operand(15, s.m, s.n, "C", s.c)) return info.Env().Undefined();
  s.bias = nullptr;
  if (p[21] >= 0) {
    s.bias = span<float>(info, heap, p[21], static_cast<double>(s.n), "bias");
    if (s.bias == nullptr) return info.Env().Undefined();
  }
  tunegraph::gemm(*pool, s);
  return info.Env().Undefined();
}

#define HEAP_OR_RETURN            \
  Heap heap;                      \
  if (!heapOf(info, heap)) return info.Env().Undefined();
#define SPAN(T, name, offArg, count)                                        \
  T* name = span<T>(info, heap, num(info, offArg), (count), #name);         \
  if (name == nullptr) return info.Env().Undefined();

/** gelu(heap, x, y, n) */
Napi::Value Gelu(const Napi::CallbackInfo& info) {
  HEAP_OR_RETURN
  double n = num(info, 3);
  SPAN(float, x, 1, n)
  SPAN(float, y, 2, n)
  tunegraph::geluForward(*pool, x, y, static_cast<long>(n));
  return info.Env().Undefined();
}

/** geluGrad(heap, x, dy, dx, n) */
Napi::Value GeluGrad(const Napi::CallbackInfo& info) {
  HEAP_OR_RETURN
  double n = num(info, 4);
  SPAN(float, x, 1, n)
  SPAN(float, dy, 2, n)
  SPAN(float, dx, 3, n)
  tunegraph::geluBackward(*pool, x, dy, dx, static_cast<long>(n));
  return info.Env().Undefined();
}

/** layerNorm(heap, x, g, b, y, xhat, rstd, rows, h, eps) */
Napi::Value LayerNorm(const Napi::CallbackInfo& info) {
  HEAP_OR_RETURN
  double rows = num(info, 7), h = num(info, 8);
  SPAN(float, x, 1, rows * h)
  SPAN(float, g, 2, h)
  SPAN(float, b, 3, h)
  SPAN(float, y, 4, rows * h)
  SPAN(float, xhat, 5, rows * h)
  SPAN(float, rstd, 6, rows)
  tunegraph::layerNormForward(*pool, x, g, b, y, xhat, rstd, static_cast<long>(rows), static_cast<long>(h),
                              static_cast<float>(num(info, 9)));
  return info.Env().Undefined();
}

/** layerNormGrad(heap, dy, xhat, g, rstd, dx, dg, db, rows, h) */
Napi::Value LayerNormGrad(const Napi::CallbackInfo& info) {
  HEAP_OR_RETURN
  double rows = num(info, 8), h = num(info, 9);
  SPAN(float, dy, 1, rows * h)
  SPAN(float, xhat, 2, rows * h)
  SPAN(float, g, 3, h)
  SPAN(float, rstd, 4, rows)
  SPAN(float, dx, 5, rows * h)
  SPAN(float, dg, 6, h)
  SPAN(float, db, 7, h)
  tunegraph::layerNormBackward(*pool, dy, xhat, g, rstd, dx, dg, db, static_cast<long>(rows), static_cast<long>(h));
  return info.Env().Undefined();
}

/** softmax(heap, s, p, mask (−1: none), scale, rows, t, rowsPerItem) */
Napi::Value Softmax(const Napi::CallbackInfo& info) {
  HEAP_OR_RETURN
  double rows = num(info, 5), t = num(info, 6), perItem = num(info, 7);
  if (!(perItem >= 1)) {
    Napi::RangeError::New(info.Env(), "tunegraph native softmax: rowsPerItem must be ≥ 1").ThrowAsJavaScriptException();
    return info.Env().Undefined();
  }
  SPAN(float, s, 1, rows * t)
  SPAN(float, p, 2, rows * t)
  const float* mask = nullptr;
  if (num(info, 3) >= 0) {
    SPAN(float, m, 3, std::ceil(rows / perItem) * t)
    mask = m;
  }
  tunegraph::softmaxForward(*pool, s, p, mask, static_cast<float>(num(info, 4)), static_cast<long>(rows), static_cast<long>(t),
                            static_cast<long>(perItem));
  return info.Env().Undefined();
}

/** softmaxGrad(heap, dp, p, ds, scale, rows, t) */
Napi::Value SoftmaxGrad(const Napi::CallbackInfo& info) {
  HEAP_OR_RETURN
  double rows = num(info, 5), t = num(info, 6);
  SPAN(float, dp, 1, rows * t)
  SPAN(float, p, 2, rows * t)
  SPAN(float, ds, 3, rows * t)
  tunegraph::softmaxBackward(*pool, dp, p, ds, static_cast<float>(num(info, 4)), static_cast<long>(rows), static_cast<long>(t));
  return info.Env().Undefined();
}

/** columnSums(heap, x, out, rows, cols) */
Napi::Value ColumnSums(const Napi::CallbackInfo& info) {
  HEAP_OR_RETURN
  double rows = num(info, 3), cols = num(info, 4);
  SPAN(float, x, 1, rows * cols)
  SPAN(float, out, 2, cols)
  tunegraph::columnSums(*pool, x, out, static_cast<long>(rows), static_cast<long>(cols));
  return info.Env().Undefined();
}

/** multiply(heap, a, b, out, n) */
Napi::Value Multiply(const Napi::CallbackInfo& info) {
  HEAP_OR_RETURN
  double n = num(info, 4);
  SPAN(float, a, 1, n)
  SPAN(float, b, 2, n)
  SPAN(float, out, 3, n)
  tunegraph::multiply(*pool, a, b, out, static_cast<long>(n));
  return info.Env().Undefined();
}

/** maskedScale(heap, x, keep (uint8), out, scale, n) */
Napi::Value MaskedScale(const Napi::CallbackInfo& info) {
  HEAP_OR_RETURN
  double n = num(info, 5);
  SPAN(float, x, 1, n)
  SPAN(uint8_t, keep, 2, n)
  SPAN(float, out, 3, n)
  tunegraph::maskedScale(*pool, x, keep, out, static_cast<float>(num(info, 4)), static_cast<long>(n));
  return info.Env().Undefined();
}

/** adamw(heap, p, m, v, g, n, beta1, beta2, decay, stepSize, sqrtBc2, eps) — p, m, v updated in place. */
Napi::Value AdamW(const Napi::CallbackInfo& info) {
  HEAP_OR_RETURN
  double n = num(info, 5);
  SPAN(float, p, 1, n)
  SPAN(float, m, 2, n)
  SPAN(float, v, 3, n)
  SPAN(float, g, 4, n)
  tunegraph::adamw(*pool, p, m, v, g, static_cast<long>(n), static_cast<float>(num(info, 6)), static_cast<float>(num(info, 7)),
                   static_cast<float>(num(info, 8)), static_cast<float>(num(info, 9)), static_cast<float>(num(info, 10)),
                   static_cast<float>(num(info, 11)));
  return info.Env().Undefined();
}

/** crossEntropy(heap, logits, labels (int32), out (1 float), rows, c, ignoreIndex) */
Napi::Value CrossEntropy(const Napi::CallbackInfo& info) {
  HEAP_OR_RETURN
  double rows = num(info, 4), c = num(info, 5);
  SPAN(float, logits, 1, rows * c)
  SPAN(int32_t, labels, 2, rows)
  SPAN(float, out, 3, 1)
  *out = tunegraph::crossEntropy(*pool, logits, labels, static_cast<long>(rows), static_cast<long>(c), static_cast<int32_t>(num(info, 6)));
  return info.Env().Undefined();
}

/** crossEntropyGrad(heap, logits, labels (int32), dy (1 float), dlogits, rows, c, ignoreIndex) */
Napi::Value CrossEntropyGrad(const Napi::CallbackInfo& info) {
  HEAP_OR_RETURN
  double rows = num(info, 5), c = num(info, 6);
  SPAN(float, logits, 1, rows * c)
  SPAN(int32_t, labels, 2, rows)
  SPAN(float, dy, 3, 1)
  SPAN(float, dlogits, 4, rows * c)
  tunegraph::crossEntropyBackward(*pool, logits, labels, *dy, dlogits, static_cast<long>(rows), static_cast<long>(c),
                                  static_cast<int32_t>(num(info, 7)));
  return info.Env().Undefined();
}

/** segmentSum(heap, x, ids (int32), out, n, h, vocab) */
Napi::Value SegmentSum(const Napi::CallbackInfo& info) {
  HEAP_OR_RETURN
  double n = num(info, 4), h = num(info, 5), vocab = num(info, 6);
  SPAN(float, x, 1, n * h)
  SPAN(int32_t, ids, 2, n)
  SPAN(float, out, 3, vocab * h)
  tunegraph::segmentSumRows(*pool, x, ids, out, static_cast<long>(n), static_cast<long>(h), static_cast<long>(vocab));
  return info.Env().Undefined();
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  // OpenBLAS runs single-threaded inside each call; the pool splits the work (batched products
  // by item, big ones by rows), which also keeps elementwise kernels on the same threads.
  openblas_set_num_threads(1);
  if (!pool) pool = std::make_unique<ThreadPool>(threadCount());
  exports.Set("info", Napi::Function::New(env, Info));
  exports.Set("gemm", Napi::Function::New(env, Gemm));
  exports.Set("gelu", Napi::Function::New(env, Gelu));
  exports.Set("geluGrad", Napi::Function::New(env, GeluGrad));
  exports.Set("layerNorm", Napi::Function::New(env, LayerNorm));
  exports.Set("layerNormGrad", Napi::Function::New(env, LayerNormGrad));
  exports.Set("softmax", Napi::Function::New(env, Softmax));
  exports.Set("softmaxGrad", Napi::Function::New(env, SoftmaxGrad));
  exports.Set("columnSums", Napi::Function::New(env, ColumnSums));
  exports.Set("multiply", Napi::Function::New(env, Multiply));
  exports.Set("maskedScale", Napi::Function::New(env, MaskedScale));
  exports.Set("adamw", Napi::Function::New(env, AdamW));
  exports.Set("crossEntropy", Napi::Function::New(env, CrossEntropy));
  exports.Set("crossEntropyGrad", Napi::Function::New(env, CrossEntropyGrad));
  exports.Set("segmentSum", Napi::Function::New(env, SegmentSum));
  return exports;
}

}  // namespace

NODE_API_MODULE(tunegraph_native, Init)
