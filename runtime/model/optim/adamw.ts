// AdamW with decoupled weight decay, matching torch.optim.AdamW (per-parameter rate scale and decay flag).
import * as tf from '@tensorflow/tfjs-core';
import { nativeAdamW } from '../ops/native-kernels';
import type { TrainableParam } from '../trainable-param';
import type { LrSchedule } from './schedule';

/** AdamW hyper-parameters; defaults are torch.optim.AdamW's except weightDecay (HF Trainer uses 0 too; we use 0.01 like torch). */
export interface AdamWOptions {
  /** Base learning rate, fixed or scheduled by optimizer step (torch default 1e-3). */
  lr?: number | LrSchedule;
  beta1?: number;
  beta2?: number;
  eps?: number;
  weightDecay?: number;
}

/** A non-trainable zero variable shaped like `like` (the temporary zeros tensor is freed; tidy keeps variables). */
function zeroSlot(like: tf.Variable, suffix: string): tf.Variable {
  return tf.tidy(() => tf.variable(tf.zerosLike(like), false, `${like.name}/${suffix}`));
}

interface Slot {
  param: TrainableParam;
  m: tf.Variable;
  v: tf.Variable;
}

/**
 * torch.optim.AdamW, step t (1-based) with learning rate lr·lrScale:
 *   p ← p − lr·wd·p                (only where param.weightDecay)
 *   m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²
 *   p ← p − lr/(1−β1ᵗ) · m / (√v/√(1−β2ᵗ) + eps)
 */
export class AdamW {
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  readonly lr: number | LrSchedule;
  /** Optimizer steps taken so far (t of the last update). */
  stepCount = 0;
  private readonly slots: Slot[];
  private disposed = false;

  constructor(params: TrainableParam[], options: AdamWOptions = {}) {
    this.lr = options.lr ?? 1e-3;
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.eps = options.eps ?? 1e-8;
    this.weightDecay = options.weightDecay ?? 0.01;
    const seen = new Set<string>();
    this.slots = params.map((param) => {
      if (seen.has(param.variable.name)) throw new Error(`AdamW: parameter "${param.name}" is listed twice`);
      seen.add(param.variable.name);
      return {
        param,
        // Moments are not trainable: tf.variableGrads must never differentiate them.
        m: zeroSlot(param.variable, 'adam_m'),
        v: zeroSlot(param.variable, 'adam_v'),
      };
    });
  }

  /** The parameters this optimizer updates. */
  get params(): TrainableParam[] {
    return this.slots.map((s) => s.param);
  }

  /** The base learning rate the next step() will use: the schedule at the number of steps taken so far. */
  currentLr(): number {
    return typeof this.lr === 'number' ? this.lr : this.lr.lrAt(this.stepCount);
  }

  /**
   * One update with base learning rate `lr` (default currentLr()). `grads` maps variable.name → gradient; a parameter with
   * no gradient is left untouched (and its moments too), as torch skips params whose grad is None.
   */
  step(grads: Record<string, tf.Tensor>, lr: number = this.currentLr()): void {
    if (this.disposed) throw new Error('AdamW.step: optimizer was disposed');
    this.stepCount++;
    const t = this.stepCount;
    const bc1 = 1 - this.beta1 ** t;
    const sqrtBc2 = Math.sqrt(1 - this.beta2 ** t);
    for (const { param, m, v } of this.slots) {
      const g = grads[param.variable.name];
      if (!g) continue;
      const plr = lr * param.lrScale;
      // Native kernels (backend "native") update p, m and v in place, when no other tensor shares their buffers.
      const decay = param.weightDecay && this.weightDecay > 0 ? 1 - plr * this.weightDecay : 1;
      if (nativeAdamW(param.variable, m, v, g, { beta1: this.beta1, beta2: this.beta2, decay, stepSize: plr / bc1, sqrtBc2, eps: this.eps })) continue;
      tf.tidy(() => {
        const p = param.variable;
        const decayed = param.weightDecay && this.weightDecay > 0 ? tf.mul(p, 1 - plr * this.weightDecay) : p;
        const mNew = tf.add(tf.mul(m, this.beta1), tf.mul(g, 1 - this.beta1));
        const vNew = tf.add(tf.mul(v, this.beta2), tf.mul(tf.square(g), 1 - this.beta2));
        const denom = tf.add(tf.div(tf.sqrt(vNew), sqrtBc2), this.eps);
        p.assign(tf.sub(decayed, tf.mul(tf.div(mNew, denom), plr / bc1)));
        m.assign(mNew);
        v.assign(vNew);
      });
    }
  }

  /** First and second moments by parameter name, copied to the host (for checkpoints). */
  momentsByName(): Map<string, { m: Float32Array; v: Float32Array }> {
    return new Map(this.slots.map((s) => [s.param.name, { m: s.m.dataSync() as Float32Array, v: s.v.dataSync() as Float32Array }]));
  }

  /**
   * Puts back moments saved by momentsByName() and the step count t, so the next step() is exactly
   * the one an uninterrupted optimizer would take. Every parameter must have saved moments of its size.
   */
  restore(moments: Map<string, { m: Float32Array; v: Float32Array }>, stepCount: number): void {
    for (const { param, m, v } of this.slots) {
      const saved = moments.get(param.name);
      if (!saved) throw new Error(`AdamW.restore: no saved moments for "${param.name}"`);
      if (saved.m.length !== m.size || saved.v.length !== v.size) throw new Error(`AdamW.restore: "${param.name}" has ${m.size} values, saved moments have ${saved.m.length}`);
      tf.tidy(() => {
        m.assign(tf.tensor(saved.m, m.shape));
        v.assign(tf.tensor(saved.v, v.shape));
      });
    }
    this.stepCount = stepCount;
  }

  /** Frees the moment slots. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const s of this.slots) {
      s.m.dispose();
      s.v.dispose();
    }
  }
}
