// Scaled dot-product attention as one op with a hand-written backward pass (less memory, fewer kernels).
import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../rng';
import { customOp } from './custom-grad';
import { plainProduct, swapLastTwo } from './matmul';
import { nativeActive } from './native-kernels';
import { attentionNative } from './native-ops';

/** Options of `attention`. */
export interface AttentionOptions {
  /** Additive mask broadcastable to the scores [B, heads, T, T], e.g. [B, 1, 1, T] with 0 / −1e9. */
  maskAdd?: tf.Tensor;
  /** Dropout on the attention probabilities (BERT: attention_probs_dropout_prob). */
  dropout?: number;
  rng?: Rng | null;
  training?: boolean;
}

/**
 * softmax(q·kT·scale + maskAdd) (then dropout) · v, for q [B, h, T, d], kT [B, h, d, T] (keys
 * already transposed), v [B, h, T, d] → [B, h, T, d]; scale = 1/√d.
 * The autodiff version keeps ~6 score-sized tensors per layer alive until the backward pass; this
 * keeps only the probabilities and the dropout mask, and its backward is
 *   dP = dY·vᵀ (·mask);  dS = P ⊙ (dP − Σ_j dP⊙P);  dq = dS·k·scale;  dkT = qᵀ·dS·scale;  dv = P̃ᵀ·dY.
 */
export function attention(q: tf.Tensor, kT: tf.Tensor, v: tf.Tensor, options: AttentionOptions = {}): tf.Tensor {
  const { maskAdd, dropout = 0, rng, training = true } = options;
  if (q.rank !== 4 || kT.rank !== 4 || v.rank !== 4) {
    throw new Error(`attention: q, kT, v must be rank 4, got [${q.shape}], [${kT.shape}], [${v.shape}]`);
  }
  if (!(dropout >= 0 && dropout < 1)) throw new Error(`attention: dropout must be in [0, 1), got ${dropout}`);
  const d = q.shape[3] as number;
  const scale = 1 / Math.sqrt(d);
  const useDropout = dropout > 0 && training && !!rng;
  const f = customOp(([qi, kTi, vi], save) => {
    let scores = tf.mul(plainProduct(qi!, kTi!), scale); // [B, h, T, T]
    if (maskAdd) scores = tf.add(scores, maskAdd);
    const probs = tf.softmax(scores);
    let mask: tf.Tensor | null = null;
    let dropped = probs;
    if (useDropout) {
      const n = probs.size;
      const m = new Float32Array(n);
      const keepScale = 1 / (1 - dropout);
      for (let i = 0; i < n; i++) m[i] = rng!.next() >= dropout ? keepScale : 0;
      mask = tf.tensor(m, probs.shape, 'float32');
      dropped = tf.mul(probs, mask);
    }
    save(mask ? [qi!, kTi!, vi!, probs, dropped, mask] : [qi!, kTi!, vi!, probs]);
    return {
      value: plainProduct(dropped, vi!), // [B, h, T, d]
      gradFunc: (dy, saved) => {
        const [sq, skT, sv, sp] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
        const sdropped = mask ? saved[4]! : sp;
        const dv = plainProduct(swapLastTwo(sdropped), dy); // [B, h, T, d]
        let dp = plainProduct(dy, swapLastTwo(sv)); // [B, h, T, T]
        if (mask) dp = tf.mul(dp, saved[5]!);
        const ds = tf.mul(tf.mul(sp, tf.sub(dp, tf.sum(tf.mul(dp, sp), -1, true))), scale); // softmax backward, then scale
        const dq = plainProduct(ds, swapLastTwo(skT)); // [B, h, T, d]
        const dkT = plainProduct(swapLastTwo(sq), ds); // [B, h, d, T]
        return [dq, dkT, dv];
      },
    };
  });
  return f(q, kT, v);
}

/**
 * Multi-head attention core on projections q, k, v [B, T, H] → context [B, T, H] (heads merged).
 * Native kernels read each head in place; elsewhere heads are split with transposes (K once
 * straight into kT, so the score product is a plain matMul) and `attention` runs on [B, heads, T, d].
 */
export function multiHeadAttention(q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, heads: number, options: AttentionOptions = {}): tf.Tensor {
  if (q.rank !== 3 || k.rank !== 3 || v.rank !== 3) {
    throw new Error(`multiHeadAttention: q, k, v must be [B, T, H], got [${q.shape}], [${k.shape}], [${v.shape}]`);
  }
  const [B, T, H] = q.shape as [number, number, number];
  if (H % heads !== 0) throw new Error(`multiHeadAttention: hidden size ${H} is not divisible by ${heads} heads`);
  const { dropout = 0, rng, training = true, maskAdd } = options;
  if (nativeActive() && q.dtype === 'float32') {
    if (!(dropout >= 0 && dropout < 1)) throw new Error(`attention: dropout must be in [0, 1), got ${dropout}`);
    return attentionNative(q, k, v, heads, { maskAdd, dropout, rng, training });
  }
  const d = H / heads;
  const split = (t: tf.Tensor) => tf.transpose(tf.reshape(t, [B, T, heads, d]), [0, 2, 1, 3]); // [B, T, H] → [B, heads, T, d]
  const kT = tf.transpose(tf.reshape(k, [B, T, heads, d]), [0, 2, 3, 1]); // [B, heads, d, T]
  const context = attention(split(q), kT, split(v), options); // [B, heads, T, d]
  return tf.reshape(tf.transpose(context, [0, 2, 1, 3]), [B, T, H]); // [B, heads, T, d] → [B, T, H]
}
