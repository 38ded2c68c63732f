// Global-norm gradient clipping with torch.nn.utils.clip_grad_norm_ semantics.
import * as tf from '@tensorflow/tfjs-core';

/** The global L2 norm √(Σ‖g‖²) over all gradients, as a number. */
export function globalNorm(grads: Record<string, tf.Tensor>): number {
  const list = Object.values(grads);
  if (list.length === 0) return 0;
  return tf.tidy(() => tf.sqrt(tf.addN(list.map((g) => tf.sum(tf.square(g))))).dataSync()[0] as number);
}

/**
 * Scales every gradient by maxNorm/(norm + 1e-6) when that is < 1 (torch's clip_coef), returning the
 * norm before clipping and new gradient tensors (inputs are disposed when replaced). A non-finite norm
 * is returned as is and gradients are left alone, so the caller can skip the step.
 */
export function clipByGlobalNorm(grads: Record<string, tf.Tensor>, maxNorm: number): { grads: Record<string, tf.Tensor>; norm: number } {
  if (!(maxNorm > 0)) throw new Error(`clipByGlobalNorm: maxNorm must be > 0, got ${maxNorm}`);
  const norm = globalNorm(grads);
  const coef = maxNorm / (norm + 1e-6);
  if (!Number.isFinite(norm) || coef >= 1) return { grads, norm };
  const out: Record<string, tf.Tensor> = {};
  for (const [name, g] of Object.entries(grads)) {
    out[name] = tf.mul(g, coef);
    g.dispose();
  }
  return { grads: out, norm };
}
