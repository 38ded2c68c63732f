// Every export kind, read back the way transformers / PEFT / sentence-transformers would (config.json
// architectures + safetensors, never tunegraph.json), gives the product's logits.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../runtime/backend';
import type { ModelValue } from '../../../runtime/exec/port-values';
import { exportModel, ExportRefused } from '../../../runtime/io/hf-export';
import { loadModelFolder, saveModelFolder } from '../../../runtime/io/model-folder';
import { readSafetensorsFile } from '../../../runtime/io/safetensors';
import { tf } from '../../../runtime/tf';
import { exportNode } from '../../../graph-nodes/export';
import { exportStage } from '../../../runtime/stages/eval-stages';
import { StageError } from '../../../runtime/stages/stage-error';

const fixture = fileURLToPath(new URL('../../fixtures/tiny-bert/', import.meta.url));
const tmp = () => mkdtempSync(join(tmpdir(), 'tg-export-'));
const ids = [
  [2, 10, 11, 12, 3, 0, 0],
  [2, 30, 31, 40, 41, 42, 3],
  [2, 7, 3, 0, 0, 0, 0],
];
const mask = ids.map((row, r) => row.map((id, i) => (i === 0 || id !== 0 || (r === 1 && i > 0) ? 1 : 0)));
const batch = () => ({ inputIds: tf.tensor2d(ids, undefined, 'int32'), attentionMask: tf.tensor2d(mask, undefined, 'int32') });
function logitsOf(value: ModelValue): Float32Array {
  return tf.tidy(() => (value.model.head?.task === 'token-classification' ? value.model.forwardTokens(batch(), { training: false }) : value.model.forwardSequence(batch(), { training: false })).dataSync() as Float32Array);
}
const maxAbsDiff = (a: Float32Array, b: Float32Array) => {
  expect(a.length).toBe(b.length);
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
};
const json = (path: string) => JSON.parse(readFileSync(path, 'utf8'));
const randomise = (v: tf.Variable, seed: number, std = 0.3) => v.assign(tf.randomNormal(v.shape, 0, std, 'float32', seed));

/** The fixture with two LoRA nodes of different rank and alpha, trained-looking adapters and a trained pooler. */
async function loraModel(): Promise<ModelValue> {
  const value = await loadModelFolder(fixture);
  value.model.addLora({ rank: 2, alpha: 4, dropout: 0.1, targetModules: ['query', 'value'], seed: 3 });
  value.model.addLora({ rank: 4, alpha: 16, dropout: 0, targetModules: ['intermediate'], seed: 4 });
  let seed = 10;
  for (const a of value.model.lora.values()) randomise(a.B, seed++);
  for (const [name, v] of value.model.allWeights()) v.trainable = name.includes('.lora_') || name.startsWith('classifier.') || name.startsWith('bert.pooler.');
  randomise(value.model.p('bert.pooler.dense.weight'), 99, 0.2);
  return value;
}

describe('exports that Python loads as is', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  describe('an unmerged LoRA model from two LoRA nodes', () => {
    let value: ModelValue;
    let root: string;
    let expected: Float32Array;
    beforeAll(async () => {
      value = await loraModel();
      expected = logitsOf(value);
      root = join(tmp(), 'model');
      exportModel(root, value, { formats: ['hf-safetensors', 'peft-adapter'], dtype: 'F32' });
    });
    afterAll(() => value.model.dispose());

    it('hf/ is the merged model: from_pretrained alone gives the LoRA logits', async () => {
      expect(existsSync(join(root, 'hf', 'adapter'))).toBe(false);
      expect(existsSync(join(root, 'hf', 'tunegraph.json'))).toBe(false);
      expect(json(join(root, 'hf', 'config.json')).architectures).toEqual(['BertForSequenceClassification']);
      const back = await loadModelFolder(join(root, 'hf'), { hfRules: true });
      expect(back.model.lora.size).toBe(0);
      expect(maxAbsDiff(logitsOf(back), expected)).toBeLessThan(1e-4);
      back.model.dispose();
    });

    it('peft/adapter names its base beside it and keeps each node’s rank and alpha', async () => {
      const config = json(join(root, 'peft', 'adapter', 'adapter_config.json'));
      expect(config.base_model_name_or_path).toBe('../base');
      expect(config.r).toBe(2);
      expect(config.lora_alpha).toBe(4);
      expect(config.rank_pattern).toEqual({ 'layer\\.\\d+\\.intermediate\\.dense': 4 });
      expect(config.alpha_pattern).toEqual({ 'layer\\.\\d+\\.intermediate\\.dense': 16 });
      expect(config.modules_to_save).toEqual(['classifier', 'pooler.dense']);
      expect(config.task_type).toBe('SEQ_CLS');
      const adapter = readSafetensorsFile(join(root, 'peft', 'adapter', 'adapter_model.safetensors'));
      expect(adapter.tensors.get('base_model.model.bert.encoder.layer.0.intermediate.dense.lora_A.weight')?.shape).toEqual([4, 32]);
      expect(adapter.tensors.get('base_model.model.bert.encoder.layer.1.attention.self.value.lora_B.weight')?.shape).toEqual([32, 2]);
      // The base alone is not the trained model: PEFT has to apply the adapter.
      const base = await loadModelFolder(join(root, 'peft', 'base'), { hfRules: true });
      expect(maxAbsDiff(logitsOf(base), expected)).toBeGreaterThan(1e-3);
      base.model.dispose();
      const viaPeft = await loadModelFolder(join(root, 'peft', 'adapter'), { hfRules: true, root });
      expect(viaPeft.model.lora.get('bert.encoder.layer.0.intermediate.dense')).toMatchObject({ rank: 4, alpha: 16 });
      expect(viaPeft.model.lora.get('bert.encoder.layer.0.attention.self.query')).toMatchObject({ rank: 2, alpha: 4 });
      expect(maxAbsDiff(logitsOf(viaPeft), expected)).toBeLessThan(1e-4);
      viaPeft.model.dispose();
    });

    it('the adapter may not name a base outside the folder it was loaded from', async () => {
      await expect(loadModelFolder(join(root, 'peft', 'adapter'), { hfRules: true })).rejects.toThrow(/base_model_name_or_path "\.\.\/base" is outside/);
    });

    it('the internal artifact keeps both adapters with their own rank and alpha', async () => {
      const dir = tmp();
      await saveModelFolder(dir, value);
      const back = await loadModelFolder(dir);
      expect(back.model.lora.get('bert.encoder.layer.1.intermediate.dense')).toMatchObject({ rank: 4, alpha: 16, dropout: 0 });
      expect(back.model.lora.get('bert.encoder.layer.1.attention.self.value')).toMatchObject({ rank: 2, alpha: 4, dropout: 0.1 });
      expect(maxAbsDiff(logitsOf(back), expected)).toBeLessThan(1e-5);
      back.model.dispose();
    });
  });

  describe.each(['mean', 'cls'] as const)('a sequence head with %s pooling', (pooling) => {
    let value: ModelValue;
    let expected: Float32Array;
    beforeAll(async () => {
      value = await loadModelFolder(fixture);
      value.model.setClassifier({ task: 'sequence-classification', labels: ['a', 'b', 'c'], pooling, dropout: 0.2 }, 5);
      randomise(value.model.p('classifier.weight'), 6);
      expected = logitsOf(value);
    });
    afterAll(() => value.model.dispose());

    it('exports a BertModel with sentence-transformers Pooling and an identity Dense head that reproduce the logits', async () => {
      const root = tmp();
      exportModel(root, value, { formats: ['hf-safetensors'], dtype: 'F32' });
      const hf = join(root, 'hf');
      expect(json(join(hf, 'config.json')).architectures).toEqual(['BertModel']);
      expect(json(join(hf, 'modules.json')).map((m: { type: string }) => m.type)).toEqual(['sentence_transformers.models.Transformer', 'sentence_transformers.models.Pooling', 'sentence_transformers.models.Dense']);
      expect(json(join(hf, '1_Pooling', 'config.json'))).toMatchObject({ pooling_mode_mean_tokens: pooling === 'mean', pooling_mode_cls_token: pooling === 'cls' });
      expect(json(join(hf, '2_Dense', 'config.json'))).toEqual({ in_features: 32, out_features: 3, bias: true, activation_function: 'torch.nn.modules.linear.Identity' });
      const keys = [...readSafetensorsFile(join(hf, 'model.safetensors')).tensors.keys()];
      expect(keys.some((k) => k.startsWith('classifier.') || k.startsWith('cls.') || k.startsWith('bert.'))).toBe(false);
      const back = await loadModelFolder(hf, { hfRules: true });
      expect(back.model.head).toMatchObject({ pooling, labels: ['a', 'b', 'c'] });
      expect(maxAbsDiff(logitsOf(back), expected)).toBeLessThan(1e-4);
      back.model.dispose();
      expect(readFileSync(join(root, 'README.md'), 'utf8')).toContain('SentenceTransformer("hf")');
    });

    it('says in the README the length the head was trained at, when it is shorter than the positions', () => {
      const root = tmp();
      const head = value.model.head!;
      value.model.head = { ...head, maxSeqLength: 8 };
      try {
        exportModel(root, value, { formats: ['hf-safetensors'], dtype: 'F32' });
      } finally {
        value.model.head = head;
      }
      const readme = readFileSync(join(root, 'README.md'), 'utf8');
      expect(readme).toContain('fine-tuned and scored at 8 tokens');
      expect(readme).toContain('max_length=8');
      const plain = tmp();
      exportModel(plain, value, { formats: ['hf-safetensors'], dtype: 'F32' });
      expect(readFileSync(join(plain, 'README.md'), 'utf8')).not.toContain('Input length');
    });

    it('refuses a PEFT export, saying why and offering the pooler', async () => {
      const lora = value.model.clone();
      lora.addLora({ rank: 2, alpha: 2, dropout: 0, targetModules: ['query'], seed: 1 });
      expect(() => exportModel(tmp(), { ...value, model: lora }, { formats: ['peft-adapter'], dtype: 'F32' })).toThrow(ExportRefused);
      expect(() => exportModel(tmp(), { ...value, model: lora }, { formats: ['peft-adapter'], dtype: 'F32' })).toThrow(/no PEFT task class.*pooling to "pooler"/);
      lora.dispose();
    });
  });

  it('a token-classification export has no pooler and no masked-LM tensors, and gives the logits', async () => {
    const value = await loadModelFolder(fixture);
    value.model.setClassifier({ task: 'token-classification', labels: ['O', 'B', 'I', 'X'], pooling: 'pooler', dropout: 0.1 }, 7);
    const root = tmp();
    exportModel(root, value, { formats: ['hf-safetensors'], dtype: 'F32' });
    const keys = [...readSafetensorsFile(join(root, 'hf', 'model.safetensors')).tensors.keys()];
    expect(keys.filter((k) => k.startsWith('bert.pooler') || k.startsWith('cls.'))).toEqual([]);
    const back = await loadModelFolder(join(root, 'hf'), { hfRules: true });
    expect(back.model.head?.task).toBe('token-classification');
    expect(maxAbsDiff(logitsOf(back), logitsOf(value))).toBeLessThan(1e-4);
    [value, back].forEach((v) => v.model.dispose());
  });

  it('a classification export drops cls.predictions, writes classifier_dropout, torch_dtype float16 for F16 and model_max_length = positions', async () => {
    const value = await loadModelFolder(fixture);
    expect(value.model.hasMlmHead).toBe(true);
    value.model.head = { ...value.model.head!, dropout: 0.25 };
    const root = tmp();
    exportModel(root, value, { formats: ['hf-safetensors'], dtype: 'F16' });
    const config = json(join(root, 'hf', 'config.json'));
    expect(config).toMatchObject({ torch_dtype: 'float16', classifier_dropout: 0.25, architectures: ['BertForSequenceClassification'] });
    const file = readSafetensorsFile(join(root, 'hf', 'model.safetensors'));
    expect([...file.tensors.keys()].filter((k) => k.startsWith('cls.'))).toEqual([]);
    expect(new Set([...file.tensors.values()].map((t) => t.dtype))).toEqual(new Set(['F16']));
    expect(json(join(root, 'hf', 'tokenizer_config.json')).model_max_length).toBe(64);
    const back = await loadModelFolder(join(root, 'hf'), { hfRules: true });
    expect(back.model.head?.dropout).toBe(0.25);
    expect(maxAbsDiff(logitsOf(back), logitsOf(value))).toBeLessThan(1e-2);
    [value, back].forEach((v) => v.model.dispose());
  });
});

describe('the Export stage', () => {
  it('writes the folders and the zip, and refuses a PEFT export without adapters as a node error', async () => {
    await initBackend('wasm');
    const value = await loadModelFolder(fixture);
    const artifactDir = tmp();
    const logs: string[] = [];
    const params = exportNode.params.parse({ formats: ['hf-safetensors', 'tfjs'], name: 'm' });
    await exportStage.run({ params, inputs: { model: value }, artifactDir, log: (m: string) => logs.push(m) } as never);
    expect(existsSync(join(artifactDir, 'export', 'm', 'hf', 'config.json'))).toBe(true);
    expect(existsSync(join(artifactDir, 'export', 'm', 'tfjs', 'model.json'))).toBe(true);
    expect(existsSync(join(artifactDir, 'export', 'm.zip'))).toBe(true);
    expect(logs[0]).toBe('hf/: BertForSequenceClassification');
    const peft = exportNode.params.parse({ formats: ['peft-adapter'] });
    await expect(exportStage.run({ params: peft, inputs: { model: value }, artifactDir: tmp(), log: () => {} } as never)).rejects.toThrow(StageError);
    value.model.dispose();
  });
});
