// The fused attention op equals the op-by-op formula, has correct gradients, and a seeded dropout.
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { attention, sumRows, transposeShared } from '../../../runtime/model/ops';
import { createRng } from '../../../runtime/model/rng';
import { describeEachBackend } from '../../helpers/backends';
import { checkGradients } from '../../helpers/grad-check';

function randn(shape: number[], seed: number): tf.Tensor {
  const rng = createRng(seed);
  return tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal()), shape);
}

/** softmax(q·kᵀ/√d + mask)·v with plain tf ops, the reference. */
function reference(q: tf.Tensor, kT: tf.Tensor, v: tf.Tensor, mask: tf.Tensor): tf.Tensor {
  const d = q.shape[3]!;
  const [B, h, T] = q.shape as number[];
  const s = tf.add(tf.mul(tf.matMul(tf.reshape(q, [B! * h!, T!, d]) as tf.Tensor3D, tf.reshape(kT, [B! * h!, d, T!]) as tf.Tensor3D), 1 / Math.sqrt(d)), tf.reshape(tf.tile(mask, [1, h!, 1, 1]), [B! * h!, 1, T!]));
  return tf.reshape(tf.matMul(tf.softmax(s) as tf.Tensor3D, tf.reshape(v, [B! * h!, T!, d]) as tf.Tensor3D), [B!, h!, T!, d]);
}

describeEachBackend('attention op', () => {
  // Built per test: tensors can only be made once the suite's backend is ready.
  const fixtures = () => ({
    q: randn([2, 3, 4, 5], 1),
    kT: randn([2, 3, 5, 4], 2),
    v: randn([2, 3, 4, 5], 3),
    mask: tf.tensor4d([0, 0, 0, -1e9, 0, 0, -1e9, -1e9], [2, 1, 1, 4]), // last key(s) padded
    w: randn([2, 3, 4, 5], 4),
  });

  it('matches the op-by-op formula and its gradients check out', () => {
    const { q, kT, v, mask, w } = fixtures();
    const got = attention(q, kT, v, { maskAdd: mask });
    const want = reference(q, kT, v, mask);
    const diff = tf.max(tf.abs(tf.sub(got, want))).dataSync()[0]!;
    expect(diff).toBeLessThan(1e-5);
    checkGradients((a, b, c) => tf.sum(tf.mul(attention(a!, b!, c!, { maskAdd: mask }), w)), [q, kT, v], { eps: 1e-2, rtol: 3e-2, atol: 3e-3 });
  });

  it('applies seeded inverted dropout to the probabilities, with matching gradients', () => {
    const { q, kT, v, mask, w } = fixtures();
    const a = attention(q, kT, v, { maskAdd: mask, dropout: 0.3, rng: createRng(5) }).dataSync();
    const b = attention(q, kT, v, { maskAdd: mask, dropout: 0.3, rng: createRng(5) }).dataSync();
    expect(Array.from(a)).toEqual(Array.from(b));
    const off = attention(q, kT, v, { maskAdd: mask, dropout: 0.3, rng: createRng(5), training: false }).dataSync();
    expect(Array.from(off)).not.toEqual(Array.from(a));
    // Same rng seed on every evaluation → the same mask, so finite differences see a fixed function.
    checkGradients((x, y, z) => tf.sum(tf.mul(attention(x!, y!, z!, { maskAdd: mask, dropout: 0.3, rng: createRng(9) }), w)), [q, kT, v], { eps: 1e-2, rtol: 3e-2, atol: 3e-3 });
  });

  it('sumRows and transposeShared agree with tf.sum and tf.transpose', () => {
    const x = randn([7, 3], 6);
    expect(Array.from(sumRows(x).dataSync()).map((n) => +n.toFixed(5))).toEqual(Array.from(tf.sum(x, 0).dataSync()).map((n) => +n.toFixed(5)));
    const t1 = tf.tidy(() => {
      const a = transposeShared(x);
      const b = transposeShared(tf.reshape(x, [7, 3]));
      expect(b).toBe(a); // same buffer: reused
      return tf.clone(a);
    });
    expect(Array.from(t1.dataSync())).toEqual(Array.from(tf.transpose(x).dataSync()));
    expect(transposeShared(x).isDisposed).toBe(false); // the tidy-scoped one died; a fresh one is made
  });
});
