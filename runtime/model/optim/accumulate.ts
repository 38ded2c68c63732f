// Gradient accumulation: sums gradients over several micro-batches before one optimizer step.
import * as tf from '@tensorflow/tfjs-core';

/**
 * Holds running gradient sums for `steps` micro-batches. Each micro-batch gradient is scaled by
 * 1/steps (as HF divides the loss by gradient_accumulation_steps), so the applied gradient is the mean.
 */
export class GradAccumulator {
  private sums: Record<string, tf.Tensor> = {};
  /** Micro-batches added since the last take(). */
  count = 0;

  constructor(readonly steps: number) {
    if (!(steps >= 1) || !Number.isInteger(steps)) throw new Error(`GradAccumulator: steps must be a positive integer, got ${steps}`);
  }

  /** Adds one micro-batch's gradients (takes ownership: they are disposed). */
  add(grads: Record<string, tf.Tensor>): void {
    for (const [name, g] of Object.entries(grads)) {
      const scaled = this.steps === 1 ? g : tf.mul(g, 1 / this.steps);
      if (scaled !== g) g.dispose();
      const prev = this.sums[name];
      if (prev) {
        this.sums[name] = tf.add(prev, scaled);
        prev.dispose();
        scaled.dispose();
      } else {
        this.sums[name] = scaled;
      }
    }
    this.count++;
  }

  /** True once `steps` micro-batches are in. */
  get ready(): boolean {
    return this.count >= this.steps;
  }

  /** Hands over the summed gradients (caller disposes) and starts a new round. */
  take(): Record<string, tf.Tensor> {
    const out = this.sums;
    this.sums = {};
    this.count = 0;
    return out;
  }

  /** Drops any partial sums. */
  dispose(): void {
    tf.dispose(Object.values(this.sums));
    this.sums = {};
    this.count = 0;
  }
}
