// Fully connected layer x·W + b with a gradient built from plain (untransposed) matMuls.
import * as tf from '@tensorflow/tfjs-core';
import { customOp } from './custom-grad';
import { nativeActive } from './native-kernels';
import { denseNative } from './native-ops';
import { recordingGradients, sumRows, transposeShared } from './reduce';

function checkShapes(x: tf.Tensor, kernel: tf.Tensor, bias?: tf.Tensor): void {
  if (kernel.rank !== 2) throw new Error(`dense: kernel must be [in, out], got shape [${kernel.shape}]`);
  if (x.shape[x.rank - 1] !== kernel.shape[0]) {
    throw new Error(`dense: input last dim ${x.shape[x.rank - 1]} ≠ kernel in-dim ${kernel.shape[0]} (x [${x.shape}], kernel [${kernel.shape}])`);
  }
  if (bias && (bias.rank !== 1 || bias.shape[0] !== kernel.shape[1])) {
    throw new Error(`dense: bias must be [${kernel.shape[1]}], got [${bias.shape}]`);
  }
}

/** True for a variable marked non-trainable: its gradient would be computed and thrown away. */
export function isFrozen(t: tf.Tensor): boolean {
  return t instanceof tf.Variable && !t.trainable;
}

/**
 * Dense layer: x [..., in] · kernel [in, out] (+ bias [out]) → [..., out].
 * The custom gradient pre-transposes with tf.transpose (transposed matMul is ~12x slower on wasm):
 * dx = dy·Wᵀ, dW = xᵀ·dy, db = Σdy. With `frozen` (default: kernel is a non-trainable variable)
 * no kernel/bias gradient is computed at all — only dx, which LoRA and partial freezing need.
 */
export function dense(x: tf.Tensor, kernel: tf.Tensor, bias?: tf.Tensor, frozen = isFrozen(kernel)): tf.Tensor {
  checkShapes(x, kernel, bias);
  if (nativeActive() && x.dtype === 'float32') return denseNative(x, kernel, bias, frozen);
  const inDim = kernel.shape[0] as number;
  const outDim = kernel.shape[1] as number;
  const xShape: number[] = x.shape;
  const outShape: number[] = [...xShape.slice(0, -1), outDim];
  if (frozen) {
    const op = customOp(([xi], save) => {
      save([]);
      const x2 = tf.reshape(xi!, [-1, inDim]); // [N, in]
      const y2 = bias ? tf.add(tf.matMul(x2, kernel), bias) : tf.matMul(x2, kernel); // [N, out]
      return {
        value: tf.reshape(y2, outShape),
        gradFunc: (dy) => [tf.reshape(tf.matMul(tf.reshape(dy, [-1, outDim]), tf.transpose(kernel)), xShape)],
      };
    });
    return op(x);
  }
  const op = customOp((inputs, save) => {
    const [xi, w, b] = inputs;
    const x2 = tf.reshape(xi!, [-1, inDim]); // [N, in]
    // Only xᵀ [in, N] is kept for dW = xᵀ·dy, made now and shared by layers reading the same x
    // (q, k, v); outside gradient recording nothing is kept, so inference pays no transpose.
    save(recordingGradients() ? [transposeShared(x2), w!] : []);
    const y2 = b ? tf.add(tf.matMul(x2, w!), b) : tf.matMul(x2, w!); // [N, out]
    return {
      value: tf.reshape(y2, outShape),
      gradFunc: (dy, saved) => {
        const [sxT, sw] = saved;
        const dy2 = tf.reshape(dy, [-1, outDim]); // [N, out]
        const dx = tf.reshape(tf.matMul(dy2, tf.transpose(sw!)), xShape); // [N, in] → x's shape
        const dw = tf.matMul(sxT!, dy2); // [in, out]
        return b ? [dx, dw, sumRows(dy2)] : [dx, dw];
      },
    };
  });
  return bias ? op(x, kernel, bias) : op(x, kernel);
}
