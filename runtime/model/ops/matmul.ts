// Matrix products whose forward and gradient use only untransposed matMuls: on tfjs-wasm (512²)
// plain matMul ran at ~41 GFLOP/s but transposeB at 3.8 and transposeA at 1.5, and every default
// matMul gradient uses the transposed forms.
import * as tf from '@tensorflow/tfjs-core';
import { customOp } from './custom-grad';
import { nativeActive } from './native-kernels';
import { gemm, matMulNative } from './native-ops';
import { BATCH_MATMUL_VIEWS } from './wasm-kernels';

/**
 * Untransposed product a [..., m, k] · b [..., k, n]. On wasm, batched products (equal batch dims)
 * go to our XNNPACK-per-slice kernel; everything else is tf.matMul. Not differentiable by itself:
 * only called inside custom gradients.
 */
export function plainProduct(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const r = a.rank;
  if (nativeActive() && a.dtype === 'float32' && b.dtype === 'float32') return gemm(a, b);
  if (r >= 3 && tf.getBackend() === 'wasm' && a.dtype === 'float32' && b.dtype === 'float32') {
    const batch = a.shape.slice(0, -2);
    if (b.rank === r && batch.every((d, i) => d === b.shape[i])) {
      const m = a.shape[r - 2] as number;
      const k = a.shape[r - 1] as number;
      const n = b.shape[r - 1] as number;
      const bsz = batch.reduce((x, y) => x * y, 1);
      if (bsz > 1 && b.shape[r - 2] === k) {
        return tf.tidy(() => {
          const a3 = tf.reshape(a, [bsz, m, k]); // [B, m, k]
          const b3 = tf.reshape(b, [bsz, k, n]); // [B, k, n]
          const out = tf.engine().runKernel(BATCH_MATMUL_VIEWS, { a: a3, b: b3 }, {}) as tf.Tensor; // [B, m, n]
          return tf.reshape(out, [...batch, m, n]);
        });
      }
    }
  }
  return tf.matMul(a, b);
}

/** Swaps the last two axes: [..., m, n] → [..., n, m], materialised so the matMul kernel reads it row-major. */
export function swapLastTwo(t: tf.Tensor): tf.Tensor {
  const r = t.rank;
  if (r < 2) throw new Error(`swapLastTwo: need rank ≥ 2, got shape [${t.shape}]`);
  const perm = [...Array(r).keys()];
  perm[r - 2] = r - 1;
  perm[r - 1] = r - 2;
  return tf.transpose(t, perm);
}

/**
 * Batched matMul a [..., m, k] · b [..., k, n] → [..., m, n], with optional logical transposes as in
 * tf.matMul; transposes are materialised with tf.transpose before plain products, forward and backward.
 */
export function matMul(a: tf.Tensor, b: tf.Tensor, transposeA = false, transposeB = false): tf.Tensor {
  if (a.rank < 2 || b.rank < 2 || a.rank !== b.rank) {
    throw new Error(`matMul: operands must have equal rank ≥ 2, got [${a.shape}] and [${b.shape}]`);
  }
  if (nativeActive() && a.dtype === 'float32' && b.dtype === 'float32') return matMulNative(a, b, transposeA, transposeB);
  const f = customOp(([x, y], save) => {
    const xa = transposeA ? swapLastTwo(x!) : x!; // [..., m, k]
    const yb = transposeB ? swapLastTwo(y!) : y!; // [..., k, n]
    save([xa, yb]);
    return {
      value: plainProduct(xa, yb),
      gradFunc: (dy, saved) => {
        const [sa, sb] = saved;
        const dxa = plainProduct(dy, swapLastTwo(sb!)); // [..., m, k]
        const dyb = plainProduct(swapLastTwo(sa!), dy); // [..., k, n]
        return [transposeA ? swapLastTwo(dxa) : dxa, transposeB ? swapLastTwo(dyb) : dyb];
      },
    };
  });
  return f(a, b);
}

/** a @ b for [M, K]·[K, N] or batched [B, M, K]·[B, K, N] with plain-matMul gradients for both operands. */
export function matMulPlain(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  return matMul(a, b);
}
