// PEFT LoRA adapter files: adapter_config.json fields, key naming (spec 4.4/4.5), folder round
// trip, and errors that name the key and shapes.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  loraSettingsFor,
  adapterConfigToJson,
  effectiveModulesToSave,
  isLoraTarget,
  isModuleToSave,
  parseAdapterConfig,
  parsePeftTensorName,
  peftSavedTensorName,
  peftTensorName,
  readPeftAdapter,
  writePeftAdapter,
  type LoraAdapterConfig,
} from '../../../runtime/io/peft-adapter';
import { readSafetensorsFile, writeSafetensorsFile } from '../../../runtime/io/safetensors';

const top = mkdtempSync(join(tmpdir(), 'tg-peft-'));
afterAll(() => rmSync(top, { recursive: true, force: true }));
let n = 0;
const dirOf = () => join(top, `a${n++}`);

const config: LoraAdapterConfig = { r: 2, loraAlpha: 4, loraDropout: 0.1, targetModules: ['value', 'query'], modulesToSave: ['classifier'], taskType: 'SEQ_CLS', baseModelNameOrPath: 'bert-base-uncased' };
const q = 'bert.encoder.layer.0.attention.self.query';
const v = 'bert.encoder.layer.0.attention.self.value';
const filled = (shape: number[], seed: number) => ({ shape, data: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(i + seed)) });
const tensors = () => ({
  [peftTensorName(q, 'A')]: filled([2, 8], 1),
  [peftTensorName(q, 'B')]: filled([8, 2], 2),
  [peftTensorName(v, 'A')]: filled([2, 8], 3),
  [peftTensorName(v, 'B')]: filled([8, 2], 4),
  [peftSavedTensorName('classifier.weight')]: filled([3, 8], 5),
  [peftSavedTensorName('classifier.bias')]: filled([3], 6),
});

describe('PEFT names', () => {
  it('names LoRA and modules_to_save tensors as PEFT saves them, and parses them back', () => {
    expect(peftTensorName(q, 'A')).toBe('base_model.model.bert.encoder.layer.0.attention.self.query.lora_A.weight');
    expect(peftTensorName('encoder.layer.0.attention.self.query', 'B')).toBe('base_model.model.encoder.layer.0.attention.self.query.lora_B.weight');
    expect(parsePeftTensorName('base_model.model.bert.encoder.layer.11.attention.self.value.lora_B.weight')).toEqual({ module: 'bert.encoder.layer.11.attention.self.value', which: 'B' });
    expect(parsePeftTensorName('base_model.model.distilbert.transformer.layer.0.attention.q_lin.lora_A.default.weight')).toEqual({ module: 'distilbert.transformer.layer.0.attention.q_lin', which: 'A' });
    expect(parsePeftTensorName('base_model.model.classifier.weight')).toBeNull();
    expect(parsePeftTensorName('base_model.model.x.lora_C.weight')).toBeNull();
    expect(peftSavedTensorName('classifier.bias')).toBe('base_model.model.classifier.bias');
  });

  it('matches target_modules by name or dotted suffix, modules_to_save by raw suffix', () => {
    expect(isLoraTarget(q, ['query', 'value'])).toBe(true);
    expect(isLoraTarget('bert.encoder.layer.0.attention.self.myquery', ['query'])).toBe(false);
    expect(isLoraTarget('bert.encoder.layer.0.attention.output.dense', ['output.dense'])).toBe(true);
    expect(isModuleToSave('pre_classifier', ['classifier'])).toBe(true); // PEFT's raw suffix rule (spec 4.5)
    expect(isModuleToSave('bert.pooler.dense', ['classifier'])).toBe(false);
    expect(effectiveModulesToSave({ modulesToSave: null, taskType: 'SEQ_CLS' })).toEqual(['classifier', 'score']);
    expect(effectiveModulesToSave({ modulesToSave: ['classifier'], taskType: null })).toEqual(['classifier']);
  });
});

describe('adapter_config.json', () => {
  it('writes the PEFT fields with sorted keys and reads them back', () => {
    const json = adapterConfigToJson(config);
    expect(Object.keys(json)).toEqual([...Object.keys(json)].sort());
    expect(json).toMatchObject({ peft_type: 'LORA', r: 2, lora_alpha: 4, lora_dropout: 0.1, target_modules: ['query', 'value'], modules_to_save: ['classifier'], task_type: 'SEQ_CLS', bias: 'none', fan_in_fan_out: false, inference_mode: true, use_dora: false, use_rslora: false, base_model_name_or_path: 'bert-base-uncased', rank_pattern: {}, alpha_pattern: {} });
    expect(parseAdapterConfig(json, 'adapter_config.json')).toEqual({ ...config, targetModules: ['query', 'value'], rankPattern: {}, alphaPattern: {} });
  });

  it('reads the PEFT docs example (defaults, task_type null, extra keys)', () => {
    const doc = { alpha_pattern: {}, auto_mapping: { base_model_class: 'BertModel', parent_library: 'transformers.models.bert.modeling_bert' }, base_model_name_or_path: 'bert-base-uncased', bias: 'none', fan_in_fan_out: false, inference_mode: true, init_lora_weights: true, layers_pattern: null, layers_to_transform: null, lora_alpha: 8, lora_dropout: 0.0, modules_to_save: null, peft_type: 'LORA', r: 8, rank_pattern: {}, revision: null, target_modules: ['query', 'value'], task_type: null, use_dora: false, use_rslora: false, peft_version: '0.13.0' };
    expect(parseAdapterConfig(doc, 'x')).toEqual({ r: 8, loraAlpha: 8, loraDropout: 0, targetModules: ['query', 'value'], modulesToSave: null, taskType: null, baseModelNameOrPath: 'bert-base-uncased', rankPattern: {}, alphaPattern: {} });
  });

  it('resolves rank_pattern / alpha_pattern per module as PEFT does (first key matching the end after a dot)', () => {
    const c = parseAdapterConfig({ ...base(), r: 8, lora_alpha: 16, rank_pattern: { 'layer\\.\\d+\\.attention\\.self\\.value': 4 }, alpha_pattern: { 'encoder\\.layer\\.1\\.output\\.dense': 2 } }, 'x');
    expect(loraSettingsFor(c, 'bert.encoder.layer.3.attention.self.value')).toEqual({ r: 4, alpha: 16 });
    expect(loraSettingsFor(c, 'bert.encoder.layer.3.attention.self.query')).toEqual({ r: 8, alpha: 16 });
    expect(loraSettingsFor(c, 'bert.encoder.layer.1.output.dense')).toEqual({ r: 8, alpha: 2 });
    // The FFN output key must not catch the attention output projection.
    expect(loraSettingsFor(c, 'bert.encoder.layer.1.attention.output.dense')).toEqual({ r: 8, alpha: 16 });
    expect(adapterConfigToJson(c)).toMatchObject({ rank_pattern: { 'layer\\.\\d+\\.attention\\.self\\.value': 4 } });
  });

  const base = () => adapterConfigToJson(config);
  it.each([
    [{ peft_type: 'IA3' }, /peft_type is "IA3"; only LORA adapters load/],
    [{ r: 0 }, /r must be a positive integer, got 0/],
    [{ lora_alpha: '8' }, /lora_alpha must be a number, got "8"/],
    [{ lora_dropout: 2 }, /lora_dropout must be a number in \[0, 1\), got 2/],
    [{ use_dora: true }, /use_dora is not supported/],
    [{ use_rslora: true }, /use_rslora is not supported/],
    [{ bias: 'all' }, /bias "all" is not supported/],
    [{ alpha_pattern: { query: 'x' } }, /alpha_pattern entry "query" must be a number/],
    [{ rank_pattern: { value: 0 } }, /rank_pattern entry "value" must be a positive integer/],
    [{ rank_pattern: { '(': 2 } }, /rank_pattern key "\(" is not a valid pattern/],
    [{ target_modules: '.*query' }, /target_modules is the pattern "\.\*query"/],
    [{ target_modules: [1] }, /target_modules must be a list of module names/],
    [{ modules_to_save: 'classifier' }, /modules_to_save must be a list of module names or null/],
    [{ task_type: 'CAUSAL_LM' }, /task_type "CAUSAL_LM" is not supported/],
  ])('refuses %j, naming the field', (change, error) => {
    expect(() => parseAdapterConfig({ ...base(), ...change }, 'ad/adapter_config.json')).toThrow(error);
    expect(() => parseAdapterConfig({ ...base(), ...change }, 'ad/adapter_config.json')).toThrow(/^ad\/adapter_config\.json: /);
  });
});

describe('adapter folder', () => {
  it('writes what PEFT writes and reads it back bit-exactly', () => {
    const dir = dirOf();
    writePeftAdapter(dir, config, tensors());
    const file = readSafetensorsFile(join(dir, 'adapter_model.safetensors'));
    expect(file.metadata).toEqual({ format: 'pt' });
    expect([...file.tensors.keys()].sort()).toEqual(Object.keys(tensors()).sort());
    expect(JSON.parse(readFileSync(join(dir, 'adapter_config.json'), 'utf8'))).toEqual(adapterConfigToJson(config));
    expect(readFileSync(join(dir, 'adapter_config.json'), 'utf8')).toContain('\n  "alpha_pattern": {},\n'); // indent=2 as PEFT
    const { config: c, tensors: t } = readPeftAdapter(dir);
    expect(c.r).toBe(2);
    expect([...t.lora.keys()].sort()).toEqual([q, v]);
    expect(t.lora.get(q)!.A).toEqual(tensors()[peftTensorName(q, 'A')]);
    expect(t.lora.get(v)!.B).toEqual(tensors()[peftTensorName(v, 'B')]);
    expect([...t.saved.keys()].sort()).toEqual(['classifier.bias', 'classifier.weight']);
    expect(t.saved.get('classifier.weight')).toEqual(tensors()['base_model.model.classifier.weight']);
  });

  it('refuses to write a transposed LoRA matrix or a stray tensor', () => {
    expect(() => writePeftAdapter(dirOf(), config, { ...tensors(), [peftTensorName(q, 'A')]: filled([8, 2], 1) })).toThrow(/tensor "base_model\.model\.bert\.encoder\.layer\.0\.attention\.self\.query\.lora_A\.weight" has shape \[8, 2\], rank r=2 expects \[2, in\]/);
    expect(() => writePeftAdapter(dirOf(), { ...config, taskType: null, modulesToSave: null }, tensors())).toThrow(/tensor "base_model\.model\.classifier\.weight" is neither/);
  });

  const broken = (edit: (t: Record<string, { shape: number[]; data: Float32Array }>) => void, configChange: Partial<LoraAdapterConfig> = {}) => {
    const dir = dirOf();
    writePeftAdapter(dir, { ...config, ...configChange }, tensors());
    const t = Object.fromEntries([...readSafetensorsFile(join(dir, 'adapter_model.safetensors')).tensors].map(([k, x]) => [k, { shape: x.shape, data: x.data as Float32Array }]));
    edit(t);
    writeSafetensorsFile(join(dir, 'adapter_model.safetensors'), t);
    return dir;
  };
  it.each([
    ['lora_B with the wrong rank', () => broken((t) => (t[peftTensorName(v, 'B')] = filled([8, 3], 0))), /adapter_model\.safetensors: tensor "base_model\.model\.bert\.encoder\.layer\.0\.attention\.self\.value\.lora_B\.weight" has shape \[8, 3\], rank r=2 expects \[out, 2\]/],
    ['a 1-D lora_A', () => broken((t) => (t[peftTensorName(q, 'A')] = filled([2], 0))), /lora_A\.weight" has shape \[2\], rank r=2 expects \[2, in\]/],
    ['a lone lora_A', () => broken((t) => delete t[peftTensorName(q, 'B')]), /module "bert\.encoder\.layer\.0\.attention\.self\.query" has lora_A but no lora_B/],
    ['a tensor outside modules_to_save', () => broken((t) => (t['base_model.model.bert.pooler.dense.weight'] = filled([8, 8], 0))), /unexpected tensor "base_model\.model\.bert\.pooler\.dense\.weight"/],
    ['a DoRA magnitude vector', () => broken((t) => (t[`base_model.model.${q}.lora_magnitude_vector`] = filled([8], 0))), /unexpected tensor ".*lora_magnitude_vector"/],
    ['no weights file', () => { const d = broken(() => {}); rmSync(join(d, 'adapter_model.safetensors')); return d; }, /no adapter_model\.safetensors/],
    ['only a pickle weights file', () => { const d = broken(() => {}); rmSync(join(d, 'adapter_model.safetensors')); writeFileSync(join(d, 'adapter_model.bin'), 'x'); return d; }, /only adapter_model\.bin/],
    ['no config', () => { const d = broken(() => {}); rmSync(join(d, 'adapter_config.json')); return d; }, /no adapter_config\.json/],
    ['a config that is not JSON', () => { const d = broken(() => {}); writeFileSync(join(d, 'adapter_config.json'), '{'); return d; }, /adapter_config\.json: not valid JSON/],
  ])('refuses a folder with %s', (_, make, error) => {
    expect(() => readPeftAdapter(make())).toThrow(error);
  });

  it('accepts SEQ_CLS adapters whose classifier PEFT saved without listing it (auto modules_to_save)', () => {
    const dir = broken(() => {}, { modulesToSave: null });
    expect([...readPeftAdapter(dir).tensors.saved.keys()].sort()).toEqual(['classifier.bias', 'classifier.weight']);
  });
});
