// trainStep: learns, touches only listed params, clips, accumulates, and keeps tensor count flat.
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { crossEntropy } from '../../../runtime/model/losses';
import { dense, embeddingLookup, gelu, layerNorm } from '../../../runtime/model/ops';
import { AdamW, GradAccumulator } from '../../../runtime/model/optim';
import { createRng } from '../../../runtime/model/rng';
import { trainStep } from '../../../runtime/model/train-step';
import type { TrainableParam } from '../../../runtime/model/trainable-param';
import { describeEachBackend } from '../../helpers/backends';

/** A tiny bag-of-embeddings classifier: class = whether token 1 appears in the sequence. */
function tinyModel(seed: number) {
  const rng = createRng(seed);
  const init = (shape: number[], scale: number) =>
    tf.variable(tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal() * scale), shape));
  const v = {
    emb: init([8, 16], 0.5),
    w1: init([16, 16], 0.25),
    b1: tf.variable(tf.zeros([16])),
    g: tf.variable(tf.ones([16])),
    beta: tf.variable(tf.zeros([16])),
    w2: init([16, 2], 0.25),
    frozen: init([2], 0.1),
  };
  const params: TrainableParam[] = [
    { name: 'emb', variable: v.emb, lrScale: 1, weightDecay: true },
    { name: 'w1', variable: v.w1, lrScale: 1, weightDecay: true },
    { name: 'b1', variable: v.b1, lrScale: 1, weightDecay: false },
    { name: 'g', variable: v.g, lrScale: 1, weightDecay: false },
    { name: 'beta', variable: v.beta, lrScale: 1, weightDecay: false },
    { name: 'w2', variable: v.w2, lrScale: 1, weightDecay: true },
  ];
  const ids: number[] = [];
  const labels: number[] = [];
  for (let i = 0; i < 32; i++) {
    const row = Array.from({ length: 6 }, () => 2 + rng.int(6));
    if (i % 2 === 0) row[rng.int(6)] = 1;
    ids.push(...row);
    labels.push(i % 2 === 0 ? 1 : 0);
  }
  const x = tf.tensor2d(ids, [32, 6], 'int32');
  const y = tf.tensor1d(labels, 'int32');
  const loss = () =>
    tf.tidy(() => {
      const h = tf.mean(embeddingLookup(v.emb, x), 1); // [32, 16]
      const z = layerNorm(gelu(dense(h, v.w1, v.b1)), v.g, v.beta, 1e-5);
      return crossEntropy(tf.add(dense(z, v.w2), v.frozen), y);
    });
  const dispose = () => tf.dispose([...Object.values(v), x, y]);
  return { v, params, loss, dispose };
}

describeEachBackend('trainStep', () => {
  it('learns a toy task, updates only listed params, and leaks nothing over 200 steps', async () => {
    const m = tinyModel(1);
    const optimizer = new AdamW(m.params, { lr: 0.01 });
    const frozenBefore = Array.from(m.v.frozen.dataSync());
    const first = await trainStep({ params: m.params, lossFn: m.loss, optimizer, maxGradNorm: 1 });
    expect(first.applied).toBe(true);
    expect(first.gradNorm).toBeGreaterThan(0);
    let baseline = 0;
    let last = first;
    for (let i = 1; i < 200; i++) {
      last = await trainStep({ params: m.params, lossFn: m.loss, optimizer, maxGradNorm: 1 });
      if (i === 10) baseline = tf.memory().numTensors; // after burn-in
    }
    expect(tf.memory().numTensors).toBe(baseline);
    expect(last.loss).toBeLessThan(first.loss * 0.2);
    expect(Array.from(m.v.frozen.dataSync())).toEqual(frozenBefore);
    optimizer.dispose();
    m.dispose();
  });

  it('accumulates: updates every second call with the mean gradient', async () => {
    const m = tinyModel(2);
    const optimizer = new AdamW(m.params, { lr: 0.01 });
    const acc = new GradAccumulator(2);
    const w = Array.from(m.v.w2.dataSync());
    const r1 = await trainStep({ params: m.params, lossFn: m.loss, optimizer, accumulate: acc });
    expect(r1.applied).toBe(false);
    expect(Array.from(m.v.w2.dataSync())).toEqual(w);
    const r2 = await trainStep({ params: m.params, lossFn: m.loss, optimizer, accumulate: acc });
    expect(r2.applied).toBe(true);
    expect(optimizer.stepCount).toBe(1);
    expect(Array.from(m.v.w2.dataSync())).not.toEqual(w);
    // Same batch twice: the mean gradient equals one batch's gradient, so the norm matches a plain step's.
    const m2 = tinyModel(2);
    const opt2 = new AdamW(m2.params, { lr: 0.01 });
    const plain = await trainStep({ params: m2.params, lossFn: m2.loss, optimizer: opt2 });
    expect(r2.gradNorm).toBeCloseTo(plain.gradNorm, 4);
    optimizer.dispose();
    opt2.dispose();
    acc.dispose();
    m.dispose();
    m2.dispose();
  });

  it('skips a listed variable that is marked non-trainable', async () => {
    const m = tinyModel(4);
    m.v.w2.trainable = false;
    const optimizer = new AdamW(m.params, { lr: 0.01 });
    const w2 = Array.from(m.v.w2.dataSync());
    const r = await trainStep({ params: m.params, lossFn: m.loss, optimizer, maxGradNorm: 1 });
    expect(r.applied).toBe(true);
    expect(Array.from(m.v.w2.dataSync())).toEqual(w2);
    optimizer.dispose();
    m.dispose();
  });

  it('names the problem when nothing trains', async () => {
    const m = tinyModel(3);
    const optimizer = new AdamW([], {});
    await expect(trainStep({ params: [], lossFn: m.loss, optimizer })).rejects.toThrow(/no trainable parameters/);
    m.dispose();
  });
});
