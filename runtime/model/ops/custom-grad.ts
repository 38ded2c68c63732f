// A typed wrapper over tf.customGrad whose forward pass frees its own intermediates at once.
import * as tf from '@tensorflow/tfjs-core';

/** What a custom-gradient body returns: the value and how to turn dy into one gradient per input. */
export interface CustomResult {
  value: tf.Tensor;
  gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor[];
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
    return { value: value!, gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.tidy(() => grad(dy, saved)) };
  }) as Parameters<typeof tf.customGrad>[0]);
  return (...inputs: tf.Tensor[]) => f(...inputs);
}
