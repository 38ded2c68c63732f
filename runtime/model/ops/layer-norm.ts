// Layer normalisation over the last axis with a hand-written gradient (far fewer ops than autodiff).
import * as tf from '@tensorflow/tfjs-core';
import { customOp } from './custom-grad';
import { nativeActive } from './native-kernels';
import { layerNormNative } from './native-ops';
import { sumRows } from './reduce';

/**
 * LayerNorm over the last axis: (x − mean) / sqrt(var + eps) · gamma + beta, biased variance as in
 * torch.nn.LayerNorm. x [..., H], gamma/beta [H].
 */
export function layerNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, eps: number): tf.Tensor {
  const h = x.shape[x.rank - 1];
  if (gamma.shape.length !== 1 || gamma.shape[0] !== h || beta.shape.length !== 1 || beta.shape[0] !== h) {
    throw new Error(`layerNorm: gamma/beta must be [${h}], got [${gamma.shape}] and [${beta.shape}] for x [${x.shape}]`);
  }
  if (nativeActive() && x.dtype === 'float32') return layerNormNative(x, gamma, beta, eps);
  const f = customOp(([xi, g, b], save) => {
    const x2 = tf.reshape(xi, [-1, h]); // [N, H]
    const mean = tf.mean(x2, 1, true); // [N, 1]
    const centered = tf.sub(x2, mean);
    const variance = tf.mean(tf.square(centered), 1, true); // [N, 1]
    const rstd = tf.rsqrt(tf.add(variance, eps)); // [N, 1]
    const xhat = tf.mul(centered, rstd); // [N, H]
    save([xhat, rstd, g]);
    return {
      value: tf.reshape(tf.add(tf.mul(xhat, g), b), xi.shape),
      gradFunc: (dy, saved) => {
        const [sxhat, srstd, sg] = saved;
        const dy2 = tf.reshape(dy, [-1, h]); // [N, H]
        const dgamma = sumRows(tf.mul(dy2, sxhat!));
        const dbeta = sumRows(dy2);
        const dxhat = tf.mul(dy2, sg);
        // dx = rstd · (dxhat − mean(dxhat) − xhat · mean(dxhat · xhat)), the standard LayerNorm backward.
        const m1 = tf.mean(dxhat, 1, true);
        const m2 = tf.mean(tf.mul(dxhat, sxhat), 1, true);
        const dx = tf.mul(srstd, tf.sub(tf.sub(dxhat, m1), tf.mul(sxhat, m2)));
        return [tf.reshape(dx, xi.shape), dgamma, dbeta];
      },
    };
  });
  return f(x, gamma, beta);
}
