// Embedding lookup (row gather) whose gradient accumulates rows with UnsortedSegmentSum, not a one-hot product.
import * as tf from '@tensorflow/tfjs-core';
import { customOp } from './custom-grad';
import { isFrozen } from './dense';
import { nativeActive } from './native-kernels';
import { segmentSumNative } from './native-ops';
import { GATHER_ROWS } from './wasm-kernels'; // (importing it also registers UnsortedSegmentSum on wasm, which the gradient needs)

/**
 * Looks up rows of table [V, H] for int32 ids of any shape → [...ids.shape, H].
 * Gradient: dTable = segment-sum of dy rows by id ([V, H]); ids get none; a frozen (non-trainable
 * variable) table gets no gradient computed at all.
 */
export function embeddingLookup(table: tf.Tensor, ids: tf.Tensor): tf.Tensor {
  if (table.rank !== 2) throw new Error(`embeddingLookup: table must be [V, H], got shape [${table.shape}]`);
  if (ids.dtype !== 'int32') throw new Error(`embeddingLookup: ids must be int32, got ${ids.dtype}`);
  const vocab = table.shape[0] as number;
  const hidden = table.shape[1] as number;
  const outShape: number[] = [...ids.shape, hidden];
  // Rows [N, H] for flat ids [N]: our row-copy kernel on wasm, GatherV2 elsewhere.
  const rows = (t: tf.Tensor, flat: tf.Tensor1D): tf.Tensor =>
    tf.getBackend() === 'wasm' && t.dtype === 'float32' ? (tf.engine().runKernel(GATHER_ROWS, { table: t, ids: flat }, {}) as tf.Tensor) : tf.gather(t, flat);
  return tf.tidy(() => {
    const flatIds = tf.reshape(ids, [-1]) as tf.Tensor1D; // [N]
    if (isFrozen(table)) return tf.reshape(rows(table, flatIds), outShape);
    const f = customOp(([t], save) => {
      save([flatIds]);
      return {
        value: tf.reshape(rows(t!, flatIds), outShape), // [..., H]
        gradFunc: (dy, saved) => {
          const dy2 = tf.reshape(dy, [-1, hidden]); // [N, H]
          if (nativeActive() && dy2.dtype === 'float32') return [segmentSumNative(dy2, saved[0]!, vocab)]; // [V, H]
          return [tf.unsortedSegmentSum(dy2, saved[0] as tf.Tensor1D, vocab)]; // [V, H]
        },
      };
    });
    return f(table);
  });
}
