// A typed wrapper over tf.customGrad whose forward pass frees its own intermediates at once.
import * as tf from '@tensorflow/tfjs-core';

/** What a custom-gradient body returns: the value and how to turn dy into one gradient per input. */
export interface CustomResult {
  value: tf.Tensor;
  gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor[];
}

/**
 * tfjs keeps every op's output gradient (dy) and saved tensors until the whole backward pass ends,
 * so backward memory grows to all activations plus all their gradients. This op's dy is read by no
 * one else (the gradient of an output is consumed only by the op that made it) and its saved
 * tensors are the engine's own clones for this op, so both are released as soon as the input
 * gradients exist, as PyTorch frees a node's buffers after its backward (the engine disposes them
 * again at the end, which is a no-op). Anything returned as a gradient is kept.
 */
function releaseAfterBackward(dy: tf.Tensor, saved: tf.Tensor[], grads: tf.Tensor[]): void {
  const returned = new Set<tf.Tensor>(grads);
  if (!returned.has(dy)) dy.dispose();
  for (const t of saved) if (!returned.has(t)) t.dispose();
}

/**
 * Builds an op with a hand-written gradient over tensor inputs; `save` keeps tensors for the
 * backward pass. The body runs inside tf.tidy, so temporaries of the forward pass (e.g. erf(x/√2)
 * inside GELU) are freed immediately instead of living until the whole training step ends — only
 * the value and the saved tensors survive. The gradient runs inside tf.tidy too.
 */
export function customOp(body: (inputs: tf.Tensor[], save: tf.GradSaveFunc) => CustomResult): (...inputs: tf.Tensor[]) => tf.Tensor {
  const f = tf.customGrad(((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const inputs = args.slice(0, -1) as tf.Tensor[];
    let toSave: tf.Tensor[] = [];
    let gradFunc: CustomResult['gradFunc'] | null = null;
    const [value] = tf.tidy(() => {
      const result = body(inputs, (tensors) => {
        toSave = tensors;
      });
      gradFunc = result.gradFunc;
      return [result.value, ...toSave];
    });
    save(toSave);
    const grad = gradFunc!;
    // tfjs calls a custom gradient outside any tidy and keeps its temporaries until the whole
    // backward pass ends; this tidy frees them as soon as the input gradients exist.
    return {
      value: value!,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const grads = tf.tidy(() => grad(dy, saved));
        releaseAfterBackward(dy, saved, grads);
        return grads;
      },
    };
  }) as Parameters<typeof tf.customGrad>[0]);
  return (...inputs: tf.Tensor[]) => f(...inputs);
}
