// Freezing by layer range and module kind, layer-wise LR decay, gradual unfreezing, and frozen weights
// staying bit-identical through real optimizer steps while everything trainable gets a gradient.
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../runtime/backend';
import { BERT_CONFIG_DEFAULTS, type BertConfig } from '../../../runtime/model/bert-config';
import { crossEntropy, maskedLmLoss } from '../../../runtime/model/losses';
import { AdamW } from '../../../runtime/model/optim';
import { createRng } from '../../../runtime/model/rng';
import { TaskModel } from '../../../runtime/model/task-model';
import { trainStep } from '../../../runtime/model/train-step';
import {
  applyFreeze,
  applyLayerwiseLrDecay,
  freezeAllBut,
  isTrainableUnderSchedule,
  moduleKindOf,
  unfrozenLayersAtEpoch,
} from '../../../runtime/model/trainability';
import { tf } from '../../../runtime/tf';

const config: BertConfig = {
  ...BERT_CONFIG_DEFAULTS,
  vocabSize: 40, hiddenSize: 16, numHiddenLayers: 3, numAttentionHeads: 2, intermediateSize: 24,
  maxPositionEmbeddings: 8, hiddenDropoutProb: 0.1, attentionProbsDropoutProb: 0.1,
};
const frozenNames = (m: TaskModel) => m.allWeights().filter(([, v]) => !v.trainable).map(([n]) => n).sort();

describe('trainability', () => {
  beforeAll(async () => {
    await initBackend('cpu');
  });

  it('classifies layer weights by module kind (attention output is attention, the layer output is FFN)', () => {
    expect(moduleKindOf('attention.self.query.weight')).toBe('attention');
    expect(moduleKindOf('attention.self.value.bias')).toBe('attention');
    expect(moduleKindOf('attention.output.dense.weight')).toBe('attention');
    expect(moduleKindOf('attention.output.LayerNorm.weight')).toBe('layer-norm');
    expect(moduleKindOf('intermediate.dense.weight')).toBe('ffn');
    expect(moduleKindOf('output.dense.bias')).toBe('ffn');
    expect(moduleKindOf('output.LayerNorm.bias')).toBe('layer-norm');
    expect(moduleKindOf('attention.self.query.lora_A')).toBeNull();
  });

  it('freezes exactly the chosen module kinds in the chosen layer range, and the embeddings on request', () => {
    const model = TaskModel.create(config, { seed: 1, mlmHead: true });
    const { frozen } = applyFreeze(model, { freezeEmbeddings: false, fromLayer: 1, toLayer: 1, modules: ['attention'] });
    const p = 'bert.encoder.layer.1';
    const expected = ['query', 'key', 'value'].flatMap((m) => [`${p}.attention.self.${m}.weight`, `${p}.attention.self.${m}.bias`]);
    expected.push(`${p}.attention.output.dense.weight`, `${p}.attention.output.dense.bias`);
    expect(frozenNames(model)).toEqual(expected.sort());
    expect(frozen).toBe(4 * (16 * 16 + 16));

    const ffn = TaskModel.create(config, { seed: 1 });
    applyFreeze(ffn, { freezeEmbeddings: true, fromLayer: 0, toLayer: 2, modules: ['ffn', 'layer-norm'] });
    const names = frozenNames(ffn);
    expect(names.filter((n) => n.startsWith('bert.embeddings.'))).toHaveLength(5);
    expect(names.filter((n) => n.includes('.attention.self.') || n.includes('attention.output.dense'))).toEqual([]);
    expect(names.filter((n) => n.includes('intermediate.dense') || n.includes('.output.dense.') && !n.includes('attention'))).toHaveLength(3 * 4);
    expect(names.filter((n) => n.includes('LayerNorm') && !n.startsWith('bert.embeddings.'))).toHaveLength(3 * 4);
    expect(names.some((n) => n.startsWith('bert.pooler.'))).toBe(false);

    const none = TaskModel.create(config, { seed: 1 });
    expect(applyFreeze(none, { freezeEmbeddings: false, fromLayer: 0, toLayer: -1, modules: ['attention', 'ffn', 'layer-norm'] }).frozen).toBe(0);
    [model, ffn, none].forEach((m) => m.dispose());
  });

  it('scales learning rates by decay^(distance from the top), embeddings one step below layer 0, heads at 1', () => {
    const model = TaskModel.create(config, { seed: 1, mlmHead: true });
    model.addLora({ rank: 2, alpha: 2, dropout: 0, targetModules: ['value'], seed: 1 });
    applyLayerwiseLrDecay(model, 0.5);
    const scale = new Map(model.trainableParams().map((p) => [p.name, p.lrScale]));
    expect(scale.get('bert.encoder.layer.2.output.dense.weight')).toBe(1);
    expect(scale.get('bert.encoder.layer.1.attention.self.query.bias')).toBe(0.5);
    expect(scale.get('bert.encoder.layer.0.intermediate.dense.weight')).toBe(0.25);
    expect(scale.get('bert.encoder.layer.0.attention.self.value.lora_B')).toBe(0.25);
    expect(scale.get('bert.embeddings.word_embeddings.weight')).toBe(0.125);
    expect(scale.get('bert.pooler.dense.weight')).toBe(1);
    expect(scale.get('cls.predictions.bias')).toBe(1);
    const decay = new Map(model.trainableParams().map((p) => [p.name, p.weightDecay]));
    expect(decay.get('bert.encoder.layer.0.intermediate.dense.weight')).toBe(true);
    expect(decay.get('bert.encoder.layer.0.intermediate.dense.bias')).toBe(false);
    expect(decay.get('bert.embeddings.LayerNorm.weight')).toBe(false);
    expect(decay.get('bert.encoder.layer.1.output.LayerNorm.weight')).toBe(false);
    expect(decay.get('bert.embeddings.word_embeddings.weight')).toBe(true);
    // Adapters added after the decay was set take their layer's scale too.
    model.addLora({ rank: 2, alpha: 2, dropout: 0, targetModules: ['query'], seed: 2 });
    const later = new Map(model.trainableParams().map((p) => [p.name, p.lrScale]));
    expect(later.get('bert.encoder.layer.1.attention.self.query.lora_A')).toBe(0.5);
    expect(later.get('bert.encoder.layer.0.attention.self.query.lora_B')).toBe(0.25);
    model.dispose();
  });

  it('unfreezes one more layer from the top per epoch (ULMFiT), embeddings last', () => {
    expect([0, 1, 2, 3, 4].map((e) => unfrozenLayersAtEpoch(e, 1, 3))).toEqual([1, 2, 3, 3, 3]);
    expect([0, 1].map((e) => unfrozenLayersAtEpoch(e, 2, 3))).toEqual([2, 3]);
    expect(isTrainableUnderSchedule('bert.encoder.layer.2.output.dense.weight', 1, 3)).toBe(true);
    expect(isTrainableUnderSchedule('bert.encoder.layer.1.output.dense.weight', 1, 3)).toBe(false);
    expect(isTrainableUnderSchedule('bert.encoder.layer.1.output.dense.weight', 2, 3)).toBe(true);
    expect(isTrainableUnderSchedule('bert.embeddings.word_embeddings.weight', 2, 3)).toBe(false);
    expect(isTrainableUnderSchedule('bert.embeddings.word_embeddings.weight', 3, 3)).toBe(true);
    expect(isTrainableUnderSchedule('classifier.weight', 1, 3)).toBe(true);
    const model = TaskModel.create(config, { seed: 1 });
    freezeAllBut(model, (name) => isTrainableUnderSchedule(name, 1, 3));
    expect(model.trainableParams().every((p) => p.name.startsWith('bert.encoder.layer.2.') || p.name.startsWith('bert.pooler.'))).toBe(true);
    model.dispose();
  });
});

describe('frozen weights under real optimizer steps [wasm]', () => {
  it('stay bit-identical while every trainable weight (the MLM decoder bias included) gets a gradient and moves', async () => {
    await initBackend('wasm');
    const model = TaskModel.create(config, { seed: 2, mlmHead: true });
    model.setClassifier({ task: 'sequence-classification', labels: ['n', 'y'], pooling: 'pooler', dropout: 0.1 }, 3);
    applyFreeze(model, { freezeEmbeddings: true, fromLayer: 0, toLayer: 0, modules: ['attention', 'ffn', 'layer-norm'] });
    applyFreeze(model, { freezeEmbeddings: true, fromLayer: 1, toLayer: 1, modules: ['attention'] });
    const snapshot = new Map(model.allWeights().map(([n, v]) => [n, Float32Array.from(v.dataSync())]));
    const params = model.trainableParams();
    expect(params.some((p) => p.name === 'cls.predictions.bias')).toBe(true);
    expect(params.some((p) => p.name.startsWith('bert.encoder.layer.0.'))).toBe(false);

    const rng = createRng(4);
    const batch = {
      inputIds: tf.tensor2d([[2, 5, 6, 7, 3, 0], [2, 9, 4, 11, 12, 3]], undefined, 'int32'),
      attentionMask: tf.tensor2d([[1, 1, 1, 1, 1, 0], [1, 1, 1, 1, 1, 1]], undefined, 'int32'),
    };
    const labels = tf.tensor1d([0, 1], 'int32');
    const mlmLabels = tf.tensor1d([-100, 5, -100, 7, -100, -100, -100, -100, 4, -100, -100, -100], 'int32');
    const lossFn = () =>
      tf.add(crossEntropy(model.forwardSequence(batch, { training: true, rng }), labels), maskedLmLoss(model.forwardMlm(batch, { training: true, rng }), mlmLabels)) as tf.Scalar;

    // Every trainable weight is reachable from the loss (a missing gradient would silently not train).
    const { value, grads } = tf.variableGrads(lossFn, params.map((p) => p.variable));
    const missing = params.filter((p) => !grads[p.variable.name]).map((p) => p.name);
    expect(missing).toEqual([]);
    tf.dispose([value, ...Object.values(grads)]);

    const optimizer = new AdamW(params, { lr: 1e-2, weightDecay: 0.1 });
    const before = tf.memory().numTensors;
    for (let step = 0; step < 3; step++) await trainStep({ params, lossFn, optimizer, maxGradNorm: 1 });
    expect(tf.memory().numTensors).toBe(before);
    const trainable = new Set(params.map((p) => p.name));
    for (const [name, v] of model.allWeights()) {
      const was = snapshot.get(name)!;
      const now = v.dataSync();
      if (trainable.has(name)) expect(now.some((x, i) => x !== was[i]), `${name} should have moved`).toBe(true);
      else expect(now.every((x, i) => Object.is(x, was[i])), `${name} must stay bit-identical`).toBe(true);
    }
    optimizer.dispose();
    tf.dispose([batch.inputIds, batch.attentionMask, labels, mlmLabels]);
    model.dispose();
  });
});
