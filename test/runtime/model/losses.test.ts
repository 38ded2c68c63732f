// Losses match hand-computed torch values, ignore −100, stay finite on huge logits, and have correct gradients.
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { crossEntropy, distillationLoss, maskedLmLoss, tokenCrossEntropy } from '../../../runtime/model/losses';
import { describeEachBackend } from '../../helpers/backends';
import { checkGradients } from '../../helpers/grad-check';

const lse = (row: number[]) => Math.log(row.reduce((a, v) => a + Math.exp(v), 0));

describeEachBackend('losses', () => {
  it('crossEntropy: mean over non-ignored rows, as torch', () => {
    const rows = [[1, 2, 3], [0.5, -1, 2], [3, 3, 3]];
    const logits = tf.tensor2d(rows);
    const labels = tf.tensor1d([2, -100, 0], 'int32');
    // torch.nn.functional.cross_entropy(..., ignore_index=-100): mean of rows 0 and 2 only.
    const want = ((lse(rows[0]!) - 3) + (lse(rows[2]!) - 3)) / 2;
    expect(crossEntropy(logits, labels).dataSync()[0]).toBeCloseTo(want, 5);
    expect(Math.abs(crossEntropy(logits, tf.tensor1d([-100, -100, -100], 'int32')).dataSync()[0]!)).toBe(0);
    expect(() => crossEntropy(logits, tf.tensor1d([1, 2], 'int32'))).toThrow(/labels must be \[3\]/);
    checkGradients((x) => crossEntropy(x!, labels), [logits], { eps: 1e-2 });
  });

  it('is stable for huge logits', () => {
    const v = crossEntropy(tf.tensor2d([[1000, 0], [-1000, 1000]]), tf.tensor1d([1, 1], 'int32')).dataSync()[0]!;
    expect(v).toBeCloseTo(500, 3); // (1000 + 0) / 2
  });

  it('token and masked-LM variants reshape to the same cross-entropy', () => {
    const logits = tf.randomNormal([2, 3, 5], 0, 1, 'float32', 3);
    const labels = tf.tensor2d([[1, -100, 4], [-100, 0, 2]], [2, 3], 'int32');
    const flat = crossEntropy(tf.reshape(logits, [6, 5]), tf.reshape(labels, [6]));
    expect(tokenCrossEntropy(logits, labels).dataSync()[0]).toBeCloseTo(flat.dataSync()[0]!, 6);
    expect(maskedLmLoss(logits, labels).dataSync()[0]).toBeCloseTo(flat.dataSync()[0]!, 6);
  });

  it('distillation: T²·KL batchmean mixed with the hard loss; zero when student = teacher', () => {
    const s = [[1, 0, -1], [0.2, 0.4, 0.1]];
    const t = [[0.5, 0.5, 0], [2, -1, 0]];
    const T = 2;
    const soft = (a: number[], T: number) => {
      const z = lse(a.map((v) => v / T));
      return a.map((v) => Math.exp(v / T - z));
    };
    const kl = s.reduce((acc, row, i) => {
      const ps = soft(row, T), pt = soft(t[i]!, T);
      return acc + pt.reduce((a, p, k) => a + p * Math.log(p / ps[k]!), 0);
    }, 0) / 2 * T * T;
    const student = tf.tensor2d(s), teacher = tf.tensor2d(t);
    expect(distillationLoss(student, teacher, { temperature: T, alpha: 1 }).dataSync()[0]).toBeCloseTo(kl, 5);
    const labels = tf.tensor1d([0, 2], 'int32');
    const hard = crossEntropy(student, labels).dataSync()[0]!;
    expect(distillationLoss(student, teacher, { temperature: T, alpha: 0.3, labels }).dataSync()[0]).toBeCloseTo(0.3 * kl + 0.7 * hard, 5);
    expect(distillationLoss(teacher, teacher, { temperature: T, alpha: 1 }).dataSync()[0]).toBeCloseTo(0, 6);
    expect(() => distillationLoss(student, teacher, { temperature: T, alpha: 0.5 })).toThrow(/needs hard labels/);
    checkGradients((x) => distillationLoss(x!, teacher, { temperature: T, alpha: 0.5, labels }), [student], { eps: 1e-2 });
    // The teacher gets no gradient.
    const gTeacher = tf.grad((x: tf.Tensor) => distillationLoss(student, x, { temperature: T, alpha: 1 }))(teacher);
    expect(Array.from(gTeacher.dataSync()).every((v) => v === 0)).toBe(true);
  });
});
