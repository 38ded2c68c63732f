// Reductions and transposes that are slow on tfjs-wasm, rewritten as faster kernels.
import * as tf from '@tensorflow/tfjs-core';
import { nativeActive } from './native-kernels';
import { columnSums } from './native-ops';

/**
 * Column sums of x [N, C] → [C], as ones[1, N] · x. tfjs-wasm's Sum over axis 0 is a strided loop
 * (16.6 ms for [4096, 512]); the matMul takes 0.27 ms. Used for bias and LayerNorm gradients.
 */
export function sumRows(x: tf.Tensor): tf.Tensor {
  if (x.rank !== 2) throw new Error(`sumRows: need [N, C], got [${x.shape}]`);
  const [n, c] = x.shape as [number, number];
  if (nativeActive() && x.dtype === 'float32') return columnSums(x);
  if (tf.getBackend() !== 'wasm') return tf.sum(x, 0);
  return tf.tidy(() => tf.reshape(tf.matMul(tf.ones([1, n]), x), [c])); // [1, C] → [C]
}

// Transposes by the buffer they transpose: the q, k and v projections all read the same input,
// so its transpose (kept for their weight gradients) is made once instead of three times.
const transposeCache = new WeakMap<object, { shape: string; t: tf.Tensor }>();

/**
 * Transpose of a 2-D tensor, reused while the previous result for the same buffer and shape is
 * alive. The cached tensor belongs to the caller's scope (for dense: the training step's), so it
 * dies with it; the cache only holds a weak reference.
 */
export function transposeShared(x: tf.Tensor): tf.Tensor {
  if (x.rank !== 2) throw new Error(`transposeShared: need rank 2, got [${x.shape}]`);
  const key = x.dataId as object;
  const shape = x.shape.join(',');
  const hit = transposeCache.get(key);
  if (hit && hit.shape === shape && !hit.t.isDisposed) return hit.t;
  const t = tf.transpose(x);
  transposeCache.set(key, { shape, t });
  return t;
}

/** True while tfjs records operations for gradients (inside tf.grads / tf.variableGrads). */
export function recordingGradients(): boolean {
  const state = (tf.engine() as unknown as { state?: { gradientDepth?: number } }).state;
  return (state?.gradientDepth ?? 0) > 0;
}
