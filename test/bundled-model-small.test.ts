// The default bundled model, trained in sittings by `npm run pretrain:bundled` (CPU sittings, then GPU
// sittings through scripts/pretrain/gpu-sitting.py): its shapes, and its held-out masked-LM accuracy as
// recorded in training.json at the position the last sitting reached, and at least the 0.30 target.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { initBackend } from '../runtime/backend';
import { loadModelFolder } from '../runtime/io/model-folder';
import { corpusRows } from '../runtime/stages/common/encode';
import { mlmEvaluate } from '../runtime/stages/common/mlm';
import { brownSource } from '../scripts/pretrain/corpus';

const dir = fileURLToPath(new URL('../public/models/tunegraph-bert-small/', import.meta.url));
const training = JSON.parse(readFileSync(`${dir}training.json`, 'utf8'));

describe('bundled model tunegraph-bert-small', () => {
  it('has the recorded architecture, dropout restored for fine-tuning, and a resumable position', async () => {
    await initBackend();
    const { model, tokenizer } = await loadModelFolder(dir);
    expect(model.config).toMatchObject({ vocabSize: tokenizer.vocabSize, hiddenSize: 256, numHiddenLayers: 4, numAttentionHeads: 4, intermediateSize: 1024, hiddenDropoutProb: 0.1 });
    expect(model.countParams().total).toBe(training.params.total);
    expect(training.state.step).toBeGreaterThan(0);
    expect(training.state.step).toBeLessThanOrEqual(training.state.totalSteps);
    expect(training.corpus.map((s: { id: string }) => s.id)).toContain('brown');
    model.dispose();
  });

  it('reaches the held-out masked-LM accuracy stated in training.json (within 0.01)', async () => {
    await initBackend();
    const { model, tokenizer } = await loadModelFolder(dir);
    const rows = corpusRows(tokenizer, brownSource().heldOut, training.recipe.seqLength);
    const r = mlmEvaluate(model, tokenizer, rows, { probability: 0.15 });
    expect(Math.abs(r.mlmAccuracy - training.heldOut.after.mlmAccuracy)).toBeLessThan(0.01);
    expect(r.mlmAccuracy).toBeGreaterThan(training.curve[0].heldOutAccuracy + 0.05);
    expect(r.mlmAccuracy).toBeGreaterThanOrEqual(0.3); // the bundled model's target (issue 9)
    model.dispose();
  });
});
