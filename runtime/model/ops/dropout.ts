// Inverted dropout driven by our seeded Rng, so runs are reproducible on every backend.
import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../rng';
import { nativeActive } from './native-kernels';
import { dropoutNative } from './native-ops';

/**
 * Inverted dropout: zeroes each element with probability `rate` and scales survivors by 1/(1−rate).
 * Identity when rate is 0, when `training` is false, or when no rng is given (inference).
 */
export function dropout(x: tf.Tensor, rate: number, rng?: Rng | null, training = true): tf.Tensor {
  if (!(rate >= 0 && rate < 1)) throw new Error(`dropout: rate must be in [0, 1), got ${rate}`);
  if (rate === 0 || !training || !rng) return x;
  if (nativeActive() && x.dtype === 'float32') return dropoutNative(x, rate, rng);
  // The mask is drawn in JS straight into a typed array: one upload and one multiply, instead of
  // randomUniform + compare + cast + divide as separate tensor ops.
  const n = x.size;
  const mask = new Float32Array(n);
  const scale = 1 / (1 - rate);
  for (let i = 0; i < n; i++) mask[i] = rng.next() >= rate ? scale : 0;
  return tf.tidy(() => tf.mul(x, tf.tensor(mask, x.shape, 'float32')));
}
