// One optimisation step: loss and gradients over exactly the trainable variables, clip, accumulate, AdamW.
import * as tf from '@tensorflow/tfjs-core';
import type { GradAccumulator } from './optim/accumulate';
import type { AdamW } from './optim/adamw';
import { clipByGlobalNorm, globalNorm } from './optim/clip';
import type { TrainableParam } from './trainable-param';

/** Inputs of trainStep. */
export interface TrainStepOptions {
  /** Exactly the weights that train; gradients are taken for these and no others. */
  params: TrainableParam[];
  /** Builds the scalar loss from the current weights (called inside the gradient tape). */
  lossFn: () => tf.Scalar;
  optimizer: AdamW;
  /** Clip the global gradient norm to this (torch clip_grad_norm_); omitted: no clipping. */
  maxGradNorm?: number;
  /** Sum gradients over accumulate.steps calls, updating only on the last. */
  accumulate?: GradAccumulator;
}

/** What one call did. */
export interface TrainStepResult {
  loss: number;
  /** Global gradient norm before clipping; NaN when this call only accumulated. */
  gradNorm: number;
  /** True when the optimizer updated the weights. */
  applied: boolean;
  /** True when the update was skipped because the gradient norm was not finite. */
  skipped: boolean;
  /** Base learning rate used (before lrScale); NaN when not applied. */
  lr: number;
}

/**
 * Runs lossFn under tf.variableGrads over `params`' variables, then (unless accumulating) clips and
 * applies the optimizer. Every tensor it creates is disposed, so tf.memory().numTensors stays flat.
 */
export async function trainStep(options: TrainStepOptions): Promise<TrainStepResult> {
  const { params, lossFn, optimizer, maxGradNorm, accumulate } = options;
  if (params.length === 0) throw new Error('trainStep: no trainable parameters (is everything frozen?)');
  const { value, grads: raw } = tf.variableGrads(lossFn, params.map((p) => p.variable));
  // variableGrads reports a listed non-trainable variable as a null gradient: drop those.
  const grads: Record<string, tf.Tensor> = {};
  for (const [name, g] of Object.entries(raw)) if (g) grads[name] = g;
  const loss = ((await value.data()) as Float32Array)[0] as number;
  value.dispose();
  let ready = grads;
  if (accumulate) {
    accumulate.add(grads);
    if (!accumulate.ready) return { loss, gradNorm: NaN, applied: false, skipped: false, lr: NaN };
    ready = accumulate.take();
  }
  let norm: number;
  if (maxGradNorm !== undefined) {
    const clipped = clipByGlobalNorm(ready, maxGradNorm);
    ready = clipped.grads;
    norm = clipped.norm;
  } else {
    norm = globalNorm(ready);
  }
  try {
    // A NaN/Inf gradient would poison every weight; skip the update and let the caller see why.
    if (!Number.isFinite(norm)) return { loss, gradNorm: norm, applied: false, skipped: true, lr: NaN };
    const lr = optimizer.currentLr();
    optimizer.step(ready, lr);
    return { loss, gradNorm: norm, applied: true, skipped: false, lr };
  } finally {
    tf.dispose(Object.values(ready));
  }
}
