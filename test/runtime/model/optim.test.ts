// AdamW, schedules, clipping and accumulation against numbers worked out by hand (torch semantics).
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../runtime/backend';
import { AdamW, clipByGlobalNorm, createSchedule, GradAccumulator, globalNorm } from '../../../runtime/model/optim';
import type { TrainableParam } from '../../../runtime/model/trainable-param';

beforeAll(async () => {
  await initBackend('cpu');
});

const made: tf.Tensor[] = [];
afterEach(() => tf.dispose(made.splice(0)));

function param(name: string, value: number, weightDecay = true, lrScale = 1): TrainableParam {
  const variable = tf.variable(tf.scalar(value), true, `${name}_${Math.random()}`);
  made.push(variable);
  return { name, variable, weightDecay, lrScale };
}

const grad = (p: TrainableParam, g: number) => ({ [p.variable.name]: tf.scalar(g) });
const value = (p: TrainableParam) => p.variable.dataSync()[0]!;

describe('AdamW', () => {
  it('matches torch.optim.AdamW over two steps (worked by hand)', () => {
    // lr 0.1, wd 0.01, β=(0.9, 0.999), eps 1e-8, p₀ = 1.
    // t=1, g=0.5: p ← 1·(1 − 0.1·0.01) = 0.999; m = 0.05, v = 0.00025;
    //   m̂ = 0.05/0.1 = 0.5, √v̂ = √(0.00025/0.001) = 0.5 → p ← 0.999 − 0.1·0.5/0.5 = 0.899
    // t=2, g=−1: p ← 0.899·0.999 = 0.898101; m = 0.045 − 0.1 = −0.055; v = 0.00024975 + 0.001 = 0.00124975;
    //   m̂ = −0.055/0.19 = −0.2894737, √v̂ = √(0.00124975/0.001999) = 0.7906881
    //   p ← 0.898101 + 0.1·0.2894737/0.7906881 = 0.9347114
    const p = param('w', 1);
    const opt = new AdamW([p], { lr: 0.1, weightDecay: 0.01 });
    opt.step(grad(p, 0.5));
    expect(value(p)).toBeCloseTo(0.899, 5);
    opt.step(grad(p, -1));
    expect(value(p)).toBeCloseTo(0.9347114, 5);
    expect(opt.stepCount).toBe(2);
    opt.dispose();
  });

  it('skips decay where weightDecay is false and scales the rate by lrScale', () => {
    const noDecay = param('b', 1, false);
    const half = param('w', 1, true, 0.5);
    const opt = new AdamW([noDecay, half], { lr: 0.1, weightDecay: 0.01 });
    opt.step({ ...grad(noDecay, 0.5), ...grad(half, 0.5) });
    expect(value(noDecay)).toBeCloseTo(0.9, 6); // 1 − 0.1, no decay
    expect(value(half)).toBeCloseTo(1 * (1 - 0.05 * 0.01) - 0.05, 6); // lr 0.05: 0.9495
    opt.dispose();
  });

  it('leaves a parameter without a gradient untouched, uses a schedule, and frees its slots', () => {
    const a = param('a', 1);
    const b = param('b', 2);
    const before = tf.memory().numTensors;
    const opt = new AdamW([a, b], { lr: createSchedule({ kind: 'linear', lr: 0.1, warmupSteps: 1, totalSteps: 3 }) });
    expect(tf.memory().numTensors).toBe(before + 4);
    expect(opt.currentLr()).toBe(0); // warmup: step 0 of 1
    const g1 = grad(a, 1);
    opt.step(g1);
    expect(value(a)).toBeCloseTo(1, 6); // lr 0 (weight decay also 0·…)
    expect(opt.currentLr()).toBeCloseTo(0.1, 9);
    const g2 = grad(a, 1);
    opt.step(g2);
    tf.dispose([...Object.values(g1), ...Object.values(g2)]);
    expect(value(a)).toBeCloseTo(1 * (1 - 0.1 * 0.01) - 0.1, 5);
    expect(value(b)).toBe(2);
    opt.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(() => opt.step(grad(a, 1))).toThrow(/disposed/);
  });
});

describe('schedules (HF formulas)', () => {
  it('linear warmup then linear decay', () => {
    const s = createSchedule({ kind: 'linear', lr: 0.1, warmupSteps: 2, totalSteps: 10 });
    const want = [0, 0.05, 0.1, 0.0875, 0.075, 0.0625, 0.05, 0.0375, 0.025, 0.0125, 0, 0];
    want.forEach((w, step) => expect(s.lrAt(step)).toBeCloseTo(w, 12));
  });
  it('cosine after warmup', () => {
    const s = createSchedule({ kind: 'cosine', lr: 0.1, warmupSteps: 2, totalSteps: 10 });
    const want = [0, 0.05, 0.1, 0.09619397662556434, 0.08535533905932738, 0.0691341716182545, 0.05, 0.030865828381745515, 0.014644660940672627, 0.0038060233744356634, 0];
    want.forEach((w, step) => expect(s.lrAt(step)).toBeCloseTo(w, 12));
  });
  it('constant after warmup, and bad settings are named', () => {
    const s = createSchedule({ kind: 'constant', lr: 0.1, warmupSteps: 4, totalSteps: 0 });
    expect([0, 2, 4, 100].map((k) => s.lrAt(k))).toEqual([0, 0.05, 0.1, 0.1]);
    expect(() => createSchedule({ kind: 'linear', lr: 0.1, warmupSteps: 0, totalSteps: 0 })).toThrow(/totalSteps/);
  });
});

describe('clipping and accumulation', () => {
  it('clips to the global norm like torch clip_grad_norm_', () => {
    const grads = { a: tf.tensor([3, 0]), b: tf.tensor([4]) }; // norm 5
    expect(globalNorm(grads)).toBeCloseTo(5, 6);
    const { grads: clipped, norm } = clipByGlobalNorm(grads, 1);
    expect(norm).toBeCloseTo(5, 6);
    const coef = 1 / (5 + 1e-6);
    expect(Array.from(clipped.a!.dataSync())).toEqual([expect.closeTo(3 * coef, 6), 0]);
    expect(clipped.b!.dataSync()[0]).toBeCloseTo(4 * coef, 6);
    const same = { c: tf.tensor([0.1]) };
    expect(clipByGlobalNorm(same, 1).grads).toBe(same); // under the limit: untouched
    tf.dispose([...Object.values(clipped), ...Object.values(same)]);
  });

  it('accumulates the mean gradient over micro-batches without leaking', () => {
    const acc = new GradAccumulator(2);
    const before = tf.memory().numTensors;
    acc.add({ a: tf.tensor([1, 2]) });
    expect(acc.ready).toBe(false);
    acc.add({ a: tf.tensor([3, 6]) });
    expect(acc.ready).toBe(true);
    const out = acc.take();
    expect(Array.from(out.a!.dataSync())).toEqual([2, 4]);
    tf.dispose(Object.values(out));
    expect(tf.memory().numTensors).toBe(before);
    expect(() => new GradAccumulator(0)).toThrow(/positive integer/);
  });
});
