// The model that ships with Tunegraph: its shapes, and its held-out masked-LM accuracy as recorded
// by `npm run pretrain:bundled` (training.json, also quoted in the README).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { initBackend } from '../runtime/backend';
import { loadBrownFiles } from '../runtime/data/brown';
import { loadModelFolder } from '../runtime/io/model-folder';
import { corpusRows } from '../runtime/stages/common/encode';
import { mlmEvaluate } from '../runtime/stages/common/mlm';

const dir = fileURLToPath(new URL('../public/models/tunegraph-bert-mini/', import.meta.url));
const training = JSON.parse(readFileSync(`${dir}training.json`, 'utf8'));

describe('bundled model tunegraph-bert-mini', () => {
  it('has the recorded architecture and a WordPiece vocabulary learned from Brown', async () => {
    await initBackend('wasm');
    const { model, tokenizer } = await loadModelFolder(dir);
    expect(model.config).toMatchObject({ vocabSize: 8000, hiddenSize: 128, numHiddenLayers: 2, numAttentionHeads: 4, intermediateSize: 512 });
    expect(tokenizer.vocabSize).toBe(8000);
    expect(model.hasMlmHead).toBe(true);
    expect(model.p('bert.embeddings.word_embeddings.weight').shape).toEqual([8000, 128]);
    expect(model.p('bert.encoder.layer.1.intermediate.dense.weight').shape).toEqual([128, 512]);
    expect(tokenizer.tokenize('The jury said it did find')).toEqual(['the', 'jury', 'said', 'it', 'did', 'find']);
    model.dispose();
  });

  it('reaches the held-out masked-LM accuracy stated in training.json (within 0.01)', async () => {
    await initBackend('wasm');
    const { model, tokenizer } = await loadModelFolder(dir);
    const held = loadBrownFiles().filter((_, i) => i % 20 === 0);
    const rows = corpusRows(tokenizer, held.map((f) => f.sentences.map((s) => s.map(([w]) => w).join(' ')).join('\n')), training.recipe.seqLength);
    const r = mlmEvaluate(model, tokenizer, rows, { probability: 0.15 });
    expect(Math.abs(r.mlmAccuracy - training.heldOut.after.mlmAccuracy)).toBeLessThan(0.01);
    expect(r.mlmAccuracy).toBeGreaterThan(training.heldOut.before.mlmAccuracy + 0.05);
    model.dispose();
  });
});
