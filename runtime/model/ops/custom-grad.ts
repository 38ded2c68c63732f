// A typed wrapper over tf.customGrad (whose own signature takes an untyped variadic list).
import * as tf from '@tensorflow/tfjs-core';

/** What a custom-gradient body returns: the value and how to turn dy into one gradient per input. */
export interface CustomResult {
  value: tf.Tensor;
  gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor[];
}

/** Builds an op with a hand-written gradient over `arity` tensor inputs; `save` keeps tensors for the backward pass. */
export function customOp(body: (inputs: tf.Tensor[], save: tf.GradSaveFunc) => CustomResult): (...inputs: tf.Tensor[]) => tf.Tensor {
  const f = tf.customGrad(((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    return body(args.slice(0, -1) as tf.Tensor[], save);
  }) as Parameters<typeof tf.customGrad>[0]);
  return (...inputs: tf.Tensor[]) => f(...inputs);
}
