// The contract between trainability (which weights train, at what rate) and the optimizers.
import type * as tf from '@tensorflow/tfjs-core';

/** One weight handed to an optimizer. Frozen weights are simply not in the list. */
export interface TrainableParam {
  /** Hugging Face tensor name, e.g. `bert.encoder.layer.3.attention.self.query.weight`. */
  name: string;
  variable: tf.Variable;
  /** Multiplies the scheduled learning rate (discriminative / layer-wise rates). 1 = base rate. */
  lrScale: number;
  /** False for biases and LayerNorm weights, which AdamW must not decay. */
  weightDecay: boolean;
}
