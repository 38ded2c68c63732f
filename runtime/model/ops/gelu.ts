// GELU activations: exact erf form (Hugging Face "gelu") and the tanh approximation ("gelu_new").
import * as tf from '@tensorflow/tfjs-core';
import { customOp } from './custom-grad';
import { nativeActive } from './native-kernels';
import { geluNative } from './native-ops';

const SQRT1_2 = Math.SQRT1_2;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/** GELU, exact: 0.5·x·(1 + erf(x/√2)); gradient Φ(x) + x·φ(x) written by hand (autodiff needs ~8 ops). */
export function gelu(x: tf.Tensor): tf.Tensor {
  if (nativeActive() && x.dtype === 'float32') return geluNative(x);
  const f = customOp(([xi], save) => {
    const cdf = tf.mul(0.5, tf.add(1, tf.erf(tf.mul(xi!, SQRT1_2)))); // Φ(x)
    save([xi!, cdf]);
    return {
      value: tf.mul(xi!, cdf),
      gradFunc: (dy, saved) => {
        const [sx, scdf] = saved;
        const pdf = tf.mul(INV_SQRT_2PI, tf.exp(tf.mul(-0.5, tf.square(sx!)))); // φ(x)
        return [tf.mul(dy, tf.add(scdf!, tf.mul(sx!, pdf)))];
      },
    };
  });
  return f(x);
}

/** GELU, tanh approximation: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))). */
export function geluTanh(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const inner = tf.mul(SQRT_2_OVER_PI, tf.add(x, tf.mul(0.044715, tf.pow(x, 3))));
    return tf.mul(tf.mul(0.5, x), tf.add(1, tf.tanh(inner)));
  });
}
