// Parity with a reference we did not write: a tiny BERT built from PyTorch's own
// nn.TransformerEncoderLayer (test/fixtures/tiny-bert/make_fixture.py), loaded from its HF folder.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { transpose2d } from '../../../runtime/io/hf-state';
import { loadModelFolder } from '../../../runtime/io/model-folder';
import { crossEntropy } from '../../../runtime/model/losses';
import { isLinearWeight } from '../../../runtime/model/param-names';
import { tf } from '../../../runtime/tf';
import { describeEachBackend } from '../../helpers/backends';

const dir = fileURLToPath(new URL('../../fixtures/tiny-bert/', import.meta.url));
const ref = JSON.parse(readFileSync(`${dir}reference.json`, 'utf8'));
// PyTorch's loss and d loss / d weight for the same inputs (make_gradients.py), HF layout.
const gradRef = JSON.parse(readFileSync(`${dir}gradients.json`, 'utf8')) as {
  loss: number;
  labels: number[];
  mlm_positions: number[];
  mlm_targets: number[];
  gradients: Record<string, { shape: number[]; values: number[] }>;
};

function maxDiffOnRealTokens(actual: number[][][], expected: number[][][], mask: number[][]): number {
  let max = 0;
  actual.forEach((row, b) => row.forEach((vec, t) => mask[b][t] && vec.forEach((v, i) => (max = Math.max(max, Math.abs(v - expected[b][t][i]))))));
  return max;
}

describeEachBackend('forward pass matches PyTorch', () => {
  it('sequence output, pooler, MLM logits and classifier logits agree to 1e-4', async () => {
    const { model, tokenizer } = await loadModelFolder(dir);
    expect(tokenizer.vocabSize).toBe(100);
    expect(model.head?.labels).toEqual(['billing', 'clinical', 'other']);
    const batch = {
      inputIds: tf.tensor2d(ref.input_ids, undefined, 'int32'),
      attentionMask: tf.tensor2d(ref.attention_mask, undefined, 'int32'),
      tokenTypeIds: tf.tensor2d(ref.token_type_ids, undefined, 'int32'),
    };
    const opts = { training: false };
    const seq = tf.tidy(() => model.encode(batch, opts).arraySync());
    // Padded positions are undefined in both implementations; compare real tokens only.
    expect(maxDiffOnRealTokens(seq, ref.sequence_output, ref.attention_mask)).toBeLessThan(1e-4);
    const pooled = tf.tidy(() => model.pool(model.encode(batch, opts), opts).arraySync());
    pooled.forEach((row, b) => row.forEach((v, i) => expect(Math.abs(v - ref.pooled_output[b][i])).toBeLessThan(1e-4)));
    const logits = tf.tidy(() => model.forwardSequence(batch, opts).arraySync());
    logits.forEach((row, b) => row.forEach((v, i) => expect(Math.abs(v - ref.classifier_logits[b][i])).toBeLessThan(1e-4)));
    const mlm = tf.tidy(() => tf.reshape(model.forwardMlm(batch, opts), [2, 8, 100]).arraySync() as number[][][]);
    expect(maxDiffOnRealTokens(mlm, ref.mlm_logits, ref.attention_mask)).toBeLessThan(1e-4);
    tf.dispose(Object.values(batch));
    model.dispose();
  });

  it('loss and the gradient of every weight (classifier + masked-LM loss) agree to 1e-4', async () => {
    const { model } = await loadModelFolder(dir);
    const batch = {
      inputIds: tf.tensor2d(ref.input_ids, undefined, 'int32'),
      attentionMask: tf.tensor2d(ref.attention_mask, undefined, 'int32'),
      tokenTypeIds: tf.tensor2d(ref.token_type_ids, undefined, 'int32'),
    };
    const labels = tf.tensor1d(gradRef.labels, 'int32');
    const positions = tf.tensor1d(gradRef.mlm_positions, 'int32');
    const targets = tf.tensor1d(gradRef.mlm_targets, 'int32');
    const opts = { training: true };
    const names = Object.keys(gradRef.gradients);
    const { value, grads } = tf.variableGrads(
      () => tf.add(crossEntropy(model.forwardSequence(batch, opts), labels), crossEntropy(model.forwardMlm(batch, opts, positions), targets)) as tf.Scalar,
      names.map((n) => model.p(n)),
    );
    expect(Math.abs(value.dataSync()[0]! - gradRef.loss)).toBeLessThan(1e-4);
    let worst = { name: '', diff: 0 };
    for (const name of names) {
      const expected = gradRef.gradients[name]!;
      const g = grads[model.p(name).name]!;
      // Ours are [in, out] for Linear weights; the reference is PyTorch's [out, in].
      const ours = isLinearWeight(name) ? transpose2d(g.dataSync() as Float32Array, g.shape[0]!, g.shape[1]!) : (g.dataSync() as Float32Array);
      expect(ours.length, name).toBe(expected.values.length);
      expected.values.forEach((v, i) => {
        const diff = Math.abs(ours[i]! - v) / Math.max(1, Math.abs(v));
        if (diff > worst.diff) worst = { name: `${name}[${i}]`, diff };
      });
    }
    expect(worst.diff, `largest gradient difference at ${worst.name}`).toBeLessThan(1e-4);
    tf.dispose([value, ...Object.values(grads), labels, positions, targets, ...Object.values(batch)]);
    model.dispose();
  });
});
