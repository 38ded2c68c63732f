// The fast ops match naive references and finite-difference gradients on every backend.
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { dense, dropout, embeddingLookup, gelu, geluTanh, layerNorm, matMul } from '../../../runtime/model/ops';
import { createRng } from '../../../runtime/model/rng';
import { describeEachBackend } from '../../helpers/backends';
import { checkGradients } from '../../helpers/grad-check';

/** Deterministic test tensor with values in about [-scale, scale]. */
function randn(shape: number[], seed: number, scale = 1): tf.Tensor {
  const rng = createRng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Float32Array.from({ length: n }, () => rng.normal() * scale), shape);
}

function expectClose(a: tf.Tensor, b: tf.Tensor | number[], tol = 1e-4): void {
  const av = Array.from(a.dataSync());
  const bv = Array.isArray(b) ? b : Array.from(b.dataSync());
  expect(av.length).toBe(bv.length);
  av.forEach((v, i) => expect(Math.abs(v - (bv[i] as number))).toBeLessThanOrEqual(tol * (1 + Math.abs(bv[i] as number))));
}

/** A fixed random weighting so sum(w·f(x)) exercises every output element's gradient. */
function weightedSum(y: tf.Tensor, seed: number): tf.Scalar {
  return tf.sum(tf.mul(y, randn(y.shape, seed)));
}

describeEachBackend('ops', () => {
  it('dense matches a naive triple loop and its gradient checks out', () => {
    const x = randn([2, 3, 4], 1);
    const w = randn([4, 5], 2);
    const b = randn([5], 3);
    const y = dense(x, w, b);
    expect(y.shape).toEqual([2, 3, 5]);
    const xv = x.dataSync(), wv = w.dataSync(), bv = b.dataSync();
    const ref: number[] = [];
    for (let r = 0; r < 6; r++) {
      for (let o = 0; o < 5; o++) {
        let s = bv[o]!;
        for (let i = 0; i < 4; i++) s += xv[r * 4 + i]! * wv[i * 5 + o]!;
        ref.push(s);
      }
    }
    expectClose(y, ref);
    expectClose(dense(x, w), tf.reshape(tf.matMul(tf.reshape(x, [6, 4]), w), [2, 3, 5]));
    checkGradients((xi, wi, bi) => weightedSum(dense(xi!, wi!, bi), 9), [x, w, b]);
    checkGradients((xi, wi) => weightedSum(dense(xi!, wi!), 10), [x, w]);
    expect(() => dense(x, randn([3, 5], 4))).toThrow(/last dim 4 ≠ kernel in-dim 3/);
  });

  it('matMul with transposes equals tf.matMul, and gradients check out', () => {
    const a = randn([2, 3, 4], 5);
    const b = randn([2, 5, 4], 6);
    expectClose(matMul(a, b, false, true), tf.matMul(a, b, false, true));
    const c = randn([2, 4, 3], 7);
    expectClose(matMul(c, b, true, true), tf.matMul(c, b, true, true));
    checkGradients((x, y) => weightedSum(matMul(x!, y!, false, true), 11), [a, b]);
    checkGradients((x, y) => weightedSum(matMul(x!, y!, true, true), 12), [c, b]);
  });

  it('embeddingLookup gathers rows and accumulates repeated-id gradients', () => {
    const table = randn([6, 3], 8);
    const ids = tf.tensor([[1, 4, 1], [0, 5, 1]], [2, 3], 'int32');
    const y = embeddingLookup(table, ids);
    expect(y.shape).toEqual([2, 3, 3]);
    const tv = table.arraySync() as number[][];
    expectClose(y, [1, 4, 1, 0, 5, 1].flatMap((id) => tv[id]!));
    // Gradient of sum(y) counts how often each row was used: row 1 three times, rows 2 and 3 never.
    const g = tf.grad((t: tf.Tensor) => tf.sum(embeddingLookup(t, ids)))(table);
    expectClose(g, [1, 1, 1, 3, 3, 3, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1]);
    checkGradients((t) => weightedSum(embeddingLookup(t!, ids), 13), [table]);
  });

  it('layerNorm matches the textbook formula and its gradient checks out', () => {
    const x = randn([2, 3, 8], 14, 2);
    const gamma = randn([8], 15);
    const beta = randn([8], 16);
    const y = layerNorm(x, gamma, beta, 1e-5);
    const xv = x.dataSync(), gv = gamma.dataSync(), bv = beta.dataSync();
    const ref: number[] = [];
    for (let r = 0; r < 6; r++) {
      const row = Array.from(xv.slice(r * 8, r * 8 + 8));
      const mean = row.reduce((a, v) => a + v, 0) / 8;
      const variance = row.reduce((a, v) => a + (v - mean) ** 2, 0) / 8;
      row.forEach((v, i) => ref.push(((v - mean) / Math.sqrt(variance + 1e-5)) * gv[i]! + bv[i]!));
    }
    expectClose(y, ref);
    checkGradients((xi, g, b) => weightedSum(layerNorm(xi!, g!, b!, 1e-5), 17), [x, gamma, beta], { eps: 1e-2, rtol: 3e-2, atol: 3e-3 });
  });

  it('gelu (erf) and geluTanh match their formulas; gelu gradient checks out', () => {
    const x = randn([20], 18, 2);
    const xv = Array.from(x.dataSync());
    // erf via Abramowitz–Stegun 7.1.26 (|error| < 1.5e-7).
    const erf = (z: number) => {
      const s = Math.sign(z), a = Math.abs(z), t = 1 / (1 + 0.3275911 * a);
      const p = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
      return s * (1 - p * Math.exp(-a * a));
    };
    expectClose(gelu(x), xv.map((v) => 0.5 * v * (1 + erf(v / Math.SQRT2))), 1e-4);
    expectClose(geluTanh(x), xv.map((v) => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3)))), 1e-4);
    checkGradients((xi) => weightedSum(gelu(xi!), 19), [x], { eps: 1e-2, rtol: 2e-2, atol: 2e-3 });
    checkGradients((xi) => weightedSum(geluTanh(xi!), 20), [x], { eps: 1e-2, rtol: 2e-2, atol: 2e-3 });
  });

  it('dropout is seeded, inverted, and the identity when off', () => {
    const x = tf.ones([4000]);
    expect(dropout(x, 0, createRng(1))).toBe(x);
    expect(dropout(x, 0.5, createRng(1), false)).toBe(x);
    const a = dropout(x, 0.25, createRng(7)).dataSync();
    const b = dropout(x, 0.25, createRng(7)).dataSync();
    expect(Array.from(a)).toEqual(Array.from(b));
    const zeros = Array.from(a).filter((v) => v === 0).length;
    expect(zeros / 4000).toBeGreaterThan(0.2);
    expect(zeros / 4000).toBeLessThan(0.3);
    expect(Array.from(a).every((v) => v === 0 || Math.abs(v - 1 / 0.75) < 1e-6)).toBe(true);
    expect(() => dropout(x, 1, createRng(1))).toThrow(/rate must be in \[0, 1\)/);
  });
});
