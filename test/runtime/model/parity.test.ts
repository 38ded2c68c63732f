// Parity with a reference we did not write: a tiny BERT built from PyTorch's own
// nn.TransformerEncoderLayer (test/fixtures/tiny-bert/make_fixture.py), loaded from its HF folder.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { loadModelFolder } from '../../../runtime/io/model-folder';
import { tf } from '../../../runtime/tf';
import { describeEachBackend } from '../../helpers/backends';

const dir = fileURLToPath(new URL('../../fixtures/tiny-bert/', import.meta.url));
const ref = JSON.parse(readFileSync(`${dir}reference.json`, 'utf8'));

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
});
