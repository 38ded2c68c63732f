// LoRA identities, HF folder round trips and PEFT adapters on the parity fixture model.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../runtime/backend';
import { loadModelFolder, saveModelFolder, exportPeftAdapter, importPeftAdapter } from '../../../runtime/io/model-folder';
import { readSafetensorsFile, writeSafetensorsFile } from '../../../runtime/io/safetensors';
import type { ModelValue } from '../../../runtime/exec/port-values';
import { tf } from '../../../runtime/tf';

const fixture = fileURLToPath(new URL('../../fixtures/tiny-bert/', import.meta.url));
const batch = () => ({
  inputIds: tf.tensor2d([[2, 10, 11, 12, 3, 0], [2, 30, 31, 3, 0, 0]], undefined, 'int32'),
  attentionMask: tf.tensor2d([[1, 1, 1, 1, 1, 0], [1, 1, 1, 1, 0, 0]], undefined, 'int32'),
});
const logitsOf = (value: ModelValue) => tf.tidy(() => value.model.forwardSequence(batch(), { training: false }).dataSync() as Float32Array);
const maxAbsDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
const tmp = () => mkdtempSync(join(tmpdir(), 'tg-model-'));

describe('LoRA and model files', () => {
  let base: ModelValue;
  beforeAll(async () => {
    await initBackend('wasm');
    base = await loadModelFolder(fixture);
  });
  afterAll(() => base.model.dispose());

  it('LoRA with B = 0 equals the base model', async () => {
    const value = await loadModelFolder(fixture);
    value.model.addLora({ rank: 4, alpha: 8, dropout: 0, targetModules: ['query', 'value', 'intermediate'], seed: 1 });
    expect(maxAbsDiff(logitsOf(value), logitsOf(base))).toBe(0);
    value.model.dispose();
  });

  it('merged equals unmerged, and unmerging restores the base weights', async () => {
    const value = await loadModelFolder(fixture);
    value.model.addLora({ rank: 4, alpha: 8, dropout: 0, targetModules: ['query', 'key', 'value', 'attention-output', 'intermediate', 'output'], seed: 1 });
    for (const a of value.model.lora.values()) a.B.assign(tf.randomNormal(a.B.shape, 0, 0.3, 'float32', 7));
    const unmerged = logitsOf(value);
    expect(maxAbsDiff(unmerged, logitsOf(base))).toBeGreaterThan(1e-3);
    const before = value.model.p('bert.encoder.layer.0.attention.self.query.weight').dataSync().slice();
    value.model.mergeLora();
    expect(maxAbsDiff(logitsOf(value), unmerged)).toBeLessThan(1e-4);
    value.model.unmergeLora();
    expect(maxAbsDiff(value.model.p('bert.encoder.layer.0.attention.self.query.weight').dataSync() as Float32Array, before as Float32Array)).toBeLessThan(1e-6);
    value.model.dispose();
  });

  it('saves and loads bit-exactly in F32, and within half precision in F16', async () => {
    const dir = tmp();
    await saveModelFolder(dir, base);
    const back = await loadModelFolder(dir);
    for (const [name, v] of base.model.params) expect(Array.from(back.model.p(name).dataSync()), name).toEqual(Array.from(v.dataSync()));
    expect(back.tokenizer.idToTokenList).toEqual(base.tokenizer.idToTokenList);
    expect(back.model.head).toEqual(base.model.head);
    back.model.dispose();
    const half = tmp();
    await saveModelFolder(half, base, { dtype: 'F16' });
    const h = await loadModelFolder(half);
    const w = base.model.p('bert.encoder.layer.1.output.dense.weight').dataSync();
    const hw = h.model.p('bert.encoder.layer.1.output.dense.weight').dataSync();
    w.forEach((x, i) => expect(Math.abs(x - hw[i])).toBeLessThanOrEqual(Math.abs(x) * 2 ** -11 + 1e-7));
    h.model.dispose();
  });

  it('exports a PEFT adapter that re-imports to the same outputs', async () => {
    const value = await loadModelFolder(fixture);
    value.model.addLora({ rank: 2, alpha: 4, dropout: 0.1, targetModules: ['query', 'value'], seed: 3 });
    for (const a of value.model.lora.values()) a.B.assign(tf.randomNormal(a.B.shape, 0, 0.3, 'float32', 9));
    const dir = tmp();
    exportPeftAdapter(dir, value.model);
    const file = readSafetensorsFile(join(dir, 'adapter_model.safetensors'));
    expect(file.tensors.get('base_model.model.bert.encoder.layer.0.attention.self.query.lora_A.weight')?.shape).toEqual([2, 32]);
    expect(file.tensors.get('base_model.model.bert.encoder.layer.1.attention.self.value.lora_B.weight')?.shape).toEqual([32, 2]);
    expect(file.tensors.get('base_model.model.classifier.weight')?.shape).toEqual([3, 32]);
    const other = await loadModelFolder(fixture);
    importPeftAdapter(dir, other.model);
    expect(maxAbsDiff(logitsOf(other), logitsOf(value))).toBeLessThan(1e-6);
    // And through a whole model folder with the adapter unmerged.
    const folder = tmp();
    await saveModelFolder(folder, value);
    const again = await loadModelFolder(folder);
    expect(again.model.lora.size).toBe(4);
    expect(maxAbsDiff(logitsOf(again), logitsOf(value))).toBeLessThan(1e-6);
    [value, other, again].forEach((v) => v.model.dispose());
  });

  it('names the tensor and both shapes when a checkpoint does not fit its config', async () => {
    const dir = tmp();
    await saveModelFolder(dir, base);
    const file = readSafetensorsFile(join(dir, 'model.safetensors'));
    const tensors = Object.fromEntries([...file.tensors].map(([k, t]) => [k, { shape: t.shape, data: t.data as Float32Array }]));
    tensors['bert.encoder.layer.1.attention.self.query.weight'] = { shape: [32, 16], data: new Float32Array(512) };
    writeSafetensorsFile(join(dir, 'model.safetensors'), tensors);
    await expect(loadModelFolder(dir)).rejects.toThrow('tensor "bert.encoder.layer.1.attention.self.query.weight": file has [32, 16], config expects [32, 32]');
    delete tensors['bert.encoder.layer.1.attention.self.query.weight'];
    writeSafetensorsFile(join(dir, 'model.safetensors'), tensors);
    await expect(loadModelFolder(dir)).rejects.toThrow('missing tensor "bert.encoder.layer.1.attention.self.query.weight"');
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ model_type: 'bert', hidden_size: 30, num_attention_heads: 4 }));
    await expect(loadModelFolder(dir)).rejects.toThrow('hidden_size 30 is not divisible by num_attention_heads 4');
  });

  it('loads legacy gamma/beta names and a bare BertModel checkpoint without the bert. prefix', async () => {
    const dir = tmp();
    await saveModelFolder(dir, base);
    const file = readSafetensorsFile(join(dir, 'model.safetensors'));
    const legacy = Object.fromEntries(
      [...file.tensors].map(([k, t]) => [k.replace(/^bert\./, '').replace(/LayerNorm\.weight$/, 'LayerNorm.gamma').replace(/LayerNorm\.bias$/, 'LayerNorm.beta'), { shape: t.shape, data: t.data as Float32Array }]),
    );
    writeSafetensorsFile(join(dir, 'model.safetensors'), legacy);
    const back = await loadModelFolder(dir);
    expect(Array.from(back.model.p('bert.embeddings.LayerNorm.weight').dataSync())).toEqual(Array.from(base.model.p('bert.embeddings.LayerNorm.weight').dataSync()));
    back.model.dispose();
  });
});

describe('loading does not leak tensors', () => {
  it('a loaded and disposed model leaves the tensor count where it was', async () => {
    await initBackend('wasm');
    const warm = await loadModelFolder(fixture);
    warm.model.dispose();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      const v = await loadModelFolder(fixture);
      v.model.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});
