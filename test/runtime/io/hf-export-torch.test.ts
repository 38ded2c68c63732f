// The exports read by an independent PyTorch loader that follows transformers / PEFT /
// sentence-transformers rules (test/fixtures/hf-rules/load_like_hf.py). Skipped where Debian's
// python3-torch is not installed.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../runtime/backend';
import type { ModelValue } from '../../../runtime/exec/port-values';
import { exportModel } from '../../../runtime/io/hf-export';
import { loadModelFolder } from '../../../runtime/io/model-folder';
import { tf } from '../../../runtime/tf';

const fixture = fileURLToPath(new URL('../../fixtures/tiny-bert/', import.meta.url));
const script = fileURLToPath(new URL('../../fixtures/hf-rules/load_like_hf.py', import.meta.url));
const PYTHON = '/usr/bin/python3';
const hasTorch = spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;

const ids = [
  [2, 10, 11, 12, 3, 0, 0],
  [2, 30, 31, 40, 41, 42, 3],
];
const mask = [
  [1, 1, 1, 1, 1, 0, 0],
  [1, 1, 1, 1, 1, 1, 1],
];
function ours(value: ModelValue): number[] {
  const batch = { inputIds: tf.tensor2d(ids, undefined, 'int32'), attentionMask: tf.tensor2d(mask, undefined, 'int32') };
  const out = tf.tidy(() => (value.model.head?.task === 'token-classification' ? value.model.forwardTokens(batch, { training: false }) : value.model.forwardSequence(batch, { training: false })).dataSync());
  tf.dispose(batch);
  // Padding positions of a token head are not compared (their logits are never used).
  return Array.from(out);
}
function torchLogits(folder: string, cwd?: string): { head: string; logits: number[] } {
  return JSON.parse(execFileSync(PYTHON, [script, folder, JSON.stringify({ ids, mask })], { cwd, encoding: 'utf8' }));
}
const maxDiff = (a: number[], b: number[]) => {
  expect(a.length).toBe(b.length);
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
};
const randomise = (v: tf.Variable, seed: number, std = 0.3) => v.assign(tf.randomNormal(v.shape, 0, std, 'float32', seed));

describe.skipIf(!hasTorch)('exports read by an independent PyTorch loader with the HF rules', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('unmerged LoRA from two nodes of different rank/alpha: hf/ (merged) and peft/adapter (from its folder) give our logits', async () => {
    const value = await loadModelFolder(fixture);
    value.model.addLora({ rank: 2, alpha: 4, dropout: 0, targetModules: ['query', 'value'], seed: 3 });
    value.model.addLora({ rank: 4, alpha: 16, dropout: 0, targetModules: ['intermediate', 'output'], seed: 4 });
    let seed = 20;
    for (const a of value.model.lora.values()) randomise(a.B, seed++);
    for (const [name, v] of value.model.allWeights()) v.trainable = name.includes('.lora_') || name.startsWith('classifier.') || name.startsWith('bert.pooler.');
    randomise(value.model.p('bert.pooler.dense.weight'), 77, 0.2);
    const root = mkdtempSync(join(tmpdir(), 'tg-torch-'));
    exportModel(root, value, { formats: ['hf-safetensors', 'peft-adapter'], dtype: 'F32' });
    const expected = ours(value);
    const merged = torchLogits(join(root, 'hf'));
    expect(merged.head).toBe('pooler');
    expect(maxDiff(merged.logits, expected)).toBeLessThan(1e-4);
    const peft = torchLogits('.', join(root, 'peft', 'adapter'));
    expect(maxDiff(peft.logits, expected)).toBeLessThan(1e-4);
    value.model.dispose();
  });

  it.each(['mean', 'cls'] as const)('a %s-pooling head through the sentence-transformers modules', async (pooling) => {
    const value = await loadModelFolder(fixture);
    value.model.setClassifier({ task: 'sequence-classification', labels: ['a', 'b', 'c'], pooling, dropout: 0.1 }, 5);
    randomise(value.model.p('classifier.weight'), 6);
    const root = mkdtempSync(join(tmpdir(), 'tg-torch-'));
    exportModel(root, value, { formats: ['hf-safetensors'], dtype: 'F32' });
    const got = torchLogits(join(root, 'hf'));
    expect(got.head).toBe(pooling);
    expect(maxDiff(got.logits, ours(value))).toBeLessThan(1e-4);
    value.model.dispose();
  });

  it('a token-classification head', async () => {
    const value = await loadModelFolder(fixture);
    value.model.setClassifier({ task: 'token-classification', labels: ['O', 'B', 'I'], pooling: 'pooler', dropout: 0.1 }, 8);
    const root = mkdtempSync(join(tmpdir(), 'tg-torch-'));
    exportModel(root, value, { formats: ['hf-safetensors'], dtype: 'F32' });
    const got = torchLogits(join(root, 'hf'));
    expect(got.head).toBe('token');
    expect(maxDiff(got.logits, ours(value))).toBeLessThan(1e-4);
    value.model.dispose();
  });
});
