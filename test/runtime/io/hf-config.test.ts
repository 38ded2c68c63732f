// config.json ↔ BertConfig: defaults, field-naming errors, a transformers-loadable writer, round trips.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { bertConfigToHf, labelsFromConfig, parseBertConfig, readJsonFile } from '../../../runtime/io/hf-config';
import { BERT_CONFIG_DEFAULTS } from '../../../runtime/model/bert-config';

// bert-base-uncased's config.json as published on the Hub.
const bertBase = {
  architectures: ['BertForMaskedLM'],
  attention_probs_dropout_prob: 0.1,
  gradient_checkpointing: false,
  hidden_act: 'gelu',
  hidden_dropout_prob: 0.1,
  hidden_size: 768,
  initializer_range: 0.02,
  intermediate_size: 3072,
  layer_norm_eps: 1e-12,
  max_position_embeddings: 512,
  model_type: 'bert',
  num_attention_heads: 12,
  num_hidden_layers: 12,
  pad_token_id: 0,
  position_embedding_type: 'absolute',
  transformers_version: '4.6.0.dev0',
  type_vocab_size: 2,
  use_cache: true,
  vocab_size: 30522,
};
const fixture = fileURLToPath(new URL('../../fixtures/tiny-bert/config.json', import.meta.url));
const top = mkdtempSync(join(tmpdir(), 'tg-hfconfig-'));
afterAll(() => rmSync(top, { recursive: true, force: true }));

describe('parseBertConfig', () => {
  it('reads bert-base-uncased to the defaults, and an empty object too', () => {
    expect(parseBertConfig(bertBase, 'config.json')).toEqual(BERT_CONFIG_DEFAULTS);
    expect(parseBertConfig({}, 'config.json')).toEqual(BERT_CONFIG_DEFAULTS);
  });

  it('reads the tiny fixture and its labels', () => {
    const json = readJsonFile(fixture) as Record<string, unknown>;
    const c = parseBertConfig(json, fixture);
    expect(c).toMatchObject({ vocabSize: 100, hiddenSize: 32, numHiddenLayers: 2, numAttentionHeads: 4, intermediateSize: 64, maxPositionEmbeddings: 64, hiddenDropoutProb: 0 });
    expect(labelsFromConfig(json)).toEqual(['billing', 'clinical', 'other']);
    expect(parseBertConfig({ hidden_act: 'gelu_new' }).hiddenAct).toBe('gelu_new');
  });

  it.each([
    [{ model_type: 'roberta' }, /^cfg\/config\.json: model_type is "roberta"/],
    [{ hidden_size: 100, num_attention_heads: 12 }, /hidden_size 100 is not divisible by num_attention_heads 12/],
    [{ hidden_act: 'relu' }, /hidden_act "relu" is not supported \(gelu or gelu_new\)/],
    [{ hidden_act: 'silu' }, /hidden_act "silu" is not supported/],
    [{ position_embedding_type: 'relative_key' }, /position_embedding_type "relative_key" is not supported \(absolute only\)/],
    [{ vocab_size: '30522' }, /vocab_size must be a number, got "30522"/],
    [{ num_hidden_layers: 2.5 }, /num_hidden_layers must be a positive integer, got 2\.5/],
    [{ num_attention_heads: 0 }, /num_attention_heads must be a positive integer, got 0/],
    [{ layer_norm_eps: 0 }, /layer_norm_eps must be > 0, got 0/],
    [{ hidden_dropout_prob: 1.5 }, /hidden_dropout_prob must be in \[0, 1\), got 1\.5/],
    [{ pad_token_id: -1 }, /pad_token_id must be a non-negative integer, got -1/],
    [[1, 2], /expected a JSON object, got a list/],
    [null, /expected a JSON object, got null/],
  ])('refuses %j, naming the file and the field', (json, error) => {
    expect(() => parseBertConfig(json, 'cfg/config.json')).toThrow(error);
    expect(() => parseBertConfig(json, 'cfg/config.json')).toThrow(/^cfg\/config\.json: /);
  });
});

describe('bertConfigToHf', () => {
  it('writes what transformers needs for a classifier', () => {
    const out = bertConfigToHf({ ...BERT_CONFIG_DEFAULTS, hiddenSize: 256, numAttentionHeads: 4 }, { architectures: ['BertForSequenceClassification'], labels: ['neg', 'pos'], problemType: 'single_label_classification' });
    expect(out).toMatchObject({
      architectures: ['BertForSequenceClassification'],
      model_type: 'bert',
      hidden_size: 256,
      num_attention_heads: 4,
      layer_norm_eps: 1e-12,
      hidden_act: 'gelu',
      position_embedding_type: 'absolute',
      classifier_dropout: null,
      id2label: { '0': 'neg', '1': 'pos' },
      label2id: { neg: 0, pos: 1 },
      problem_type: 'single_label_classification',
      torch_dtype: 'float32',
    });
    expect(typeof out.transformers_version).toBe('string');
    expect(bertConfigToHf(BERT_CONFIG_DEFAULTS, { id2label: { 1: 'b', 0: 'a' } }).id2label).toEqual({ '0': 'a', '1': 'b' });
    expect(bertConfigToHf(BERT_CONFIG_DEFAULTS, { torchDtype: 'float16' }).torch_dtype).toBe('float16');
  });

  it('round-trips through JSON and keeps keys it does not model', () => {
    const { architectures, ...rest } = bertBase;
    const extra = { ...rest, classifier_dropout: 0.3, gradient_checkpointing: false, custom_note: 'kept' };
    const written = bertConfigToHf(parseBertConfig(bertBase), { architectures, extra });
    const path = join(top, 'config.json');
    writeFileSync(path, JSON.stringify(written, null, 2));
    const back = readJsonFile(path) as Record<string, unknown>;
    expect(parseBertConfig(back, path)).toEqual(BERT_CONFIG_DEFAULTS);
    expect(back).toMatchObject({ classifier_dropout: 0.3, custom_note: 'kept', gradient_checkpointing: false, architectures: ['BertForMaskedLM'] });
    for (const [k, v] of Object.entries(bertBase)) if (k !== 'transformers_version') expect(back[k], k).toEqual(v);
  });
});

describe('readJsonFile', () => {
  it('names the file when it is missing or not JSON', () => {
    expect(() => readJsonFile(join(top, 'nope.json'))).toThrow(/nope\.json: cannot read \(ENOENT\)/);
    writeFileSync(join(top, 'bad.json'), '{"a":');
    expect(() => readJsonFile(join(top, 'bad.json'))).toThrow(/bad\.json: not valid JSON/);
  });
});
