// Differentiable building blocks over the native kernels, used by the ops when nativeActive().
import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../rng';
import { customOp } from './custom-grad';
import { NATIVE, runNative } from './native-kernels';

/** op(a)·op(b) (+ bias [n] on every row) as one native GEMM; not differentiable by itself. */
export function gemm(a: tf.Tensor, b: tf.Tensor, transposeA = false, transposeB = false, bias?: tf.Tensor): tf.Tensor {
  return runNative<tf.Tensor>(NATIVE.gemm, { a, b, bias }, { transposeA, transposeB });
}

/** Column sums of x [..., C] → [C]. */
export function columnSums(x: tf.Tensor): tf.Tensor {
  return runNative<tf.Tensor>(NATIVE.columnSums, { x });
}

/**
 * Dense x [..., in] · kernel [in, out] + bias. Saves x itself (no transposed copy: the GEMM reads it
 * transposed) and computes dx = dy·Wᵀ, dW = xᵀ·dy, db = Σ dy; frozen: only dx.
 */
export function denseNative(x: tf.Tensor, kernel: tf.Tensor, bias: tf.Tensor | undefined, frozen: boolean): tf.Tensor {
  const inDim = kernel.shape[0] as number;
  const outDim = kernel.shape[1] as number;
  const xShape: number[] = x.shape;
  const outShape: number[] = [...xShape.slice(0, -1), outDim];
  if (frozen) {
    const op = customOp(([xi], save) => {
      save([]);
      return {
        value: tf.reshape(gemm(tf.reshape(xi!, [-1, inDim]), kernel, false, false, bias), outShape),
        gradFunc: (dy) => [tf.reshape(gemm(tf.reshape(dy, [-1, outDim]), kernel, false, true), xShape)],
      };
    });
    return op(x);
  }
  const op = customOp(([xi, w, b], save) => {
    const x2 = tf.reshape(xi!, [-1, inDim]); // [N, in], shares xi's buffer
    save([x2, w!]);
    return {
      value: tf.reshape(gemm(x2, w!, false, false, b), outShape),
      gradFunc: (dy, [sx, sw]) => {
        const dy2 = tf.reshape(dy, [-1, outDim]); // [N, out]
        const dx = tf.reshape(gemm(dy2, sw!, false, true), xShape); // dy·Wᵀ
        const dw = gemm(sx!, dy2, true, false); // xᵀ·dy [in, out]
        return b ? [dx, dw, columnSums(dy2)] : [dx, dw];
      },
    };
  });
  return bias ? op(x, kernel, bias) : op(x, kernel);
}

/** Batched op(a)·op(b) with its gradient, transposes read in place by the GEMM. */
export function matMulNative(a: tf.Tensor, b: tf.Tensor, transposeA: boolean, transposeB: boolean): tf.Tensor {
  const f = customOp(([x, y], save) => {
    save([x!, y!]);
    return {
      value: gemm(x!, y!, transposeA, transposeB),
      gradFunc: (dy, [sx, sy]) => [
        transposeA ? gemm(sy!, dy, transposeB, true) : gemm(dy, sy!, false, !transposeB), // dA
        transposeB ? gemm(dy, sx!, true, transposeA) : gemm(sx!, dy, !transposeA, false), // dB
      ],
    };
  });
  return f(a, b);
}

/** GELU (erf form): saves only x and recomputes Φ(x), φ(x) in the backward kernel. */
export function geluNative(x: tf.Tensor): tf.Tensor {
  const f = customOp(([xi], save) => {
    save([xi!]);
    return {
      value: runNative<tf.Tensor>(NATIVE.gelu, { x: xi }),
      gradFunc: (dy, [sx]) => [runNative<tf.Tensor>(NATIVE.geluGrad, { x: sx, dy })],
    };
  });
  return f(x);
}

/** LayerNorm over the last axis in one kernel each way; saves x̂ [N, H] and 1/σ [N, 1]. */
export function layerNormNative(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, eps: number): tf.Tensor {
  const f = customOp(([xi, g, b], save) => {
    const [y, xhat, rstd] = runNative<tf.Tensor[]>(NATIVE.layerNorm, { x: xi, gamma: g, beta: b }, { eps });
    save([xhat!, rstd!, g!]);
    return {
      value: y!,
      gradFunc: (dy, [sxhat, srstd, sg]) => runNative<tf.Tensor[]>(NATIVE.layerNormGrad, { dy, xhat: sxhat, gamma: sg, rstd: srstd }),
    };
  });
  return f(x, gamma, beta);
}

/** A 0/1 byte mask drawn from rng, in the same order the float masks of the wasm path use. */
function keepMask(shape: number[], rate: number, rng: Rng): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const keep = new Uint8Array(n);
  for (let i = 0; i < n; i++) keep[i] = rng.next() >= rate ? 1 : 0;
  return tf.tensor(keep, shape, 'bool');
}

/** Inverted dropout keeping a 1-byte mask (not a float copy) for the backward pass. */
export function dropoutNative(x: tf.Tensor, rate: number, rng: Rng): tf.Tensor {
  const keep = keepMask(x.shape, rate, rng);
  const scale = 1 / (1 - rate);
  // The mask goes through save(): tensors a gradient only closes over are freed when the forward pass ends.
  const f = customOp(([xi], save) => {
    save([keep]);
    return {
      value: runNative<tf.Tensor>(NATIVE.dropout, { x: xi, keep }, { scale }),
      gradFunc: (dy, [skeep]) => [runNative<tf.Tensor>(NATIVE.dropout, { x: dy, keep: skeep }, { scale })],
    };
  });
  return f(x);
}

/**
 * Multi-head attention core over q, k, v [B, T, H] → context [B, T, H], heads read in place (no
 * split/merge transposes). Saves q, k, v, the probabilities and a 1-byte dropout mask.
 */
export function attentionNative(
  q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, heads: number,
  o: { maskAdd?: tf.Tensor; dropout: number; rng?: Rng | null; training: boolean },
): tf.Tensor {
  const [B, T, H] = q.shape as [number, number, number];
  const scale = 1 / Math.sqrt(H / heads);
  const keep = o.dropout > 0 && o.training && o.rng ? keepMask([B, heads, T, T], o.dropout, o.rng) : undefined;
  const keepScale = 1 / (1 - o.dropout);
  const mask2 = o.maskAdd ? tf.reshape(o.maskAdd, [B, T]) : undefined; // [B, 1, 1, T] → [B, T]
  const attrs = { heads, scale, keepScale };
  const f = customOp(([qi, ki, vi], save) => {
    const [context, probs] = runNative<tf.Tensor[]>(NATIVE.attention, { q: qi, k: ki, v: vi, maskAdd: mask2, keep }, attrs);
    save(keep ? [qi!, ki!, vi!, probs!, keep] : [qi!, ki!, vi!, probs!]);
    return {
      value: context!,
      gradFunc: (dy, [sq, sk, sv, sp, skeep]) => runNative<tf.Tensor[]>(NATIVE.attentionGrad, { dy, q: sq, k: sk, v: sv, probs: sp, keep: skeep }, attrs),
    };
  });
  return f(q, k, v);
}

/** Rows of dy [N, H] summed by id into [vocab, H] (the embedding gradient). */
export function segmentSumNative(dy: tf.Tensor, ids: tf.Tensor, vocab: number): tf.Tensor {
  return runNative<tf.Tensor>(NATIVE.segmentSum, { x: dy, ids }, { vocab });
}

/**
 * Mean cross-entropy of logits [N, C] against int32 labels [N] (ignoreIndex rows left out), fused:
 * saves only the logits and labels; the backward kernel recomputes the softmax row by row.
 */
export function crossEntropyNative(logits: tf.Tensor, labels: tf.Tensor, ignoreIndex: number): tf.Scalar {
  const attrs = { ignoreIndex };
  const f = customOp(([l], save) => {
    save([l!, labels]);
    return {
      value: runNative<tf.Tensor>(NATIVE.crossEntropy, { logits: l, labels }, attrs),
      gradFunc: (dy, [sl, slabels]) => [runNative<tf.Tensor>(NATIVE.crossEntropyGrad, { logits: sl, labels: slabels, dy }, attrs)],
    };
  });
  return f(logits) as tf.Scalar;
}
