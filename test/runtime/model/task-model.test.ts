// TaskModel: initialisation, heads, padding invariance, dropout, parameter counts, clone/withLayers, memory hygiene.
import { expect, it } from 'vitest';
import { BERT_CONFIG_DEFAULTS, type BertConfig } from '../../../runtime/model/bert-config';
import { createRng } from '../../../runtime/model/rng';
import { TaskModel, type Batch } from '../../../runtime/model/task-model';
import { tf } from '../../../runtime/tf';
import { describeEachBackend } from '../../helpers/backends';

const config: BertConfig = {
  ...BERT_CONFIG_DEFAULTS,
  vocabSize: 50, hiddenSize: 32, numHiddenLayers: 3, numAttentionHeads: 4, intermediateSize: 48,
  maxPositionEmbeddings: 16, typeVocabSize: 2, hiddenDropoutProb: 0.1, attentionProbsDropoutProb: 0.1,
};
const V = config.vocabSize;
const H = config.hiddenSize;
const I = config.intermediateSize;

/** Two rows, the second padded after 3 tokens; `padId` fills the padded slots (their value must not matter). */
function batch(padId = 0): Batch {
  return {
    inputIds: tf.tensor2d([[2, 7, 8, 9, 10, 3], [2, 11, 3, padId, padId, padId]], undefined, 'int32'),
    attentionMask: tf.tensor2d([[1, 1, 1, 1, 1, 1], [1, 1, 1, 0, 0, 0]], undefined, 'int32'),
    tokenTypeIds: tf.tensor2d([[0, 0, 0, 1, 1, 1], [0, 0, 0, 0, 0, 0]], undefined, 'int32'),
  };
}
const disposeBatch = (b: Batch) => tf.dispose([b.inputIds, b.attentionMask, b.tokenTypeIds!]);
const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

function classifierModel(pooling: 'pooler' | 'cls' | 'mean', task: 'sequence-classification' | 'token-classification' = 'sequence-classification'): TaskModel {
  const model = TaskModel.create(config, { seed: 3, mlmHead: true });
  model.setClassifier({ task, labels: ['a', 'b', 'c'], pooling, dropout: 0.1 }, 4);
  return model;
}

describeEachBackend('TaskModel', () => {
  it('initialises like Hugging Face: normal(0, 0.02) weights, zero padding row, LayerNorm 1/0, zero biases', () => {
    const model = TaskModel.create(config, { seed: 1, mlmHead: true });
    const q = model.p('bert.encoder.layer.1.attention.self.query.weight').dataSync() as Float32Array;
    const mean = q.reduce((a, v) => a + v, 0) / q.length;
    const std = Math.sqrt(q.reduce((a, v) => a + (v - mean) ** 2, 0) / q.length);
    expect(Math.abs(mean)).toBeLessThan(0.003);
    expect(std).toBeGreaterThan(0.018);
    expect(std).toBeLessThan(0.022);
    const words = model.p('bert.embeddings.word_embeddings.weight').dataSync();
    expect(Array.from(words.slice(config.padTokenId * H, (config.padTokenId + 1) * H))).toEqual(new Array(H).fill(0));
    expect(Math.abs(words[5 * H + 3])).toBeGreaterThan(0);
    expect(Array.from(model.p('bert.encoder.layer.2.output.LayerNorm.weight').dataSync())).toEqual(new Array(H).fill(1));
    for (const name of ['bert.encoder.layer.0.intermediate.dense.bias', 'cls.predictions.bias', 'bert.embeddings.LayerNorm.bias']) {
      expect(model.p(name).dataSync().every((v) => v === 0), name).toBe(true);
    }
    // Same seed, same weights; another seed, other weights.
    const again = TaskModel.create(config, { seed: 1 });
    const other = TaskModel.create(config, { seed: 2 });
    expect(Array.from(again.p('bert.encoder.layer.1.attention.self.query.weight').dataSync())).toEqual(Array.from(q));
    expect(maxAbsDiff(other.p('bert.encoder.layer.1.attention.self.query.weight').dataSync(), q)).toBeGreaterThan(0.01);
    [model, again, other].forEach((m) => m.dispose());
  });

  it('gives every head its shape, and MLM on gathered positions equals the full logits at those rows', () => {
    const model = classifierModel('pooler');
    const b = batch();
    const eval_ = { training: false };
    tf.tidy(() => {
      expect(model.encode(b, eval_).shape).toEqual([2, 6, H]);
      expect(model.pool(model.encode(b, eval_), eval_).shape).toEqual([2, H]);
      expect(model.forwardSequence(b, eval_).shape).toEqual([2, 3]);
      const full = model.forwardMlm(b, eval_); // [B·T, V]
      expect(full.shape).toEqual([12, V]);
      const positions = tf.tensor1d([1, 4, 8], 'int32');
      const some = model.forwardMlm(b, eval_, positions);
      expect(some.shape).toEqual([3, V]);
      expect(maxAbsDiff(some.dataSync(), tf.gather(full, positions).dataSync())).toBeLessThan(1e-5);
    });
    const tokens = classifierModel('cls', 'token-classification');
    tf.tidy(() => {
      expect(tokens.forwardTokens(b, eval_).shape).toEqual([2, 6, 3]);
    });
    expect(() => tf.tidy(() => tokens.forwardSequence(b, eval_))).toThrow('model has a token-classification head, not sequence-classification');
    const bare = TaskModel.create(config, { seed: 1 });
    expect(() => tf.tidy(() => bare.forwardMlm(b, eval_))).toThrow('model has no masked-LM head');
    expect(() => tf.tidy(() => bare.forwardTokens(b, eval_))).toThrow('model has no task head');
    const long = { inputIds: tf.zeros([1, 17], 'int32') as tf.Tensor2D, attentionMask: tf.ones([1, 17], 'int32') as tf.Tensor2D };
    expect(() => tf.tidy(() => bare.encode(long, eval_))).toThrow('sequence length 17 exceeds max_position_embeddings 16');
    tf.dispose([long.inputIds, long.attentionMask]);
    [model, tokens, bare].forEach((m) => m.dispose());
    disposeBatch(b);
  });

  it('ignores whatever sits in padded positions (attention mask), for every pooling', () => {
    for (const pooling of ['pooler', 'cls', 'mean'] as const) {
      const model = classifierModel(pooling);
      const a = batch(0);
      const b = batch(42);
      const eval_ = { training: false };
      const [seqA, seqB, logA, logB] = tf.tidy(() => [
        model.encode(a, eval_).arraySync(),
        model.encode(b, eval_).arraySync(),
        model.forwardSequence(a, eval_).dataSync(),
        model.forwardSequence(b, eval_).dataSync(),
      ]) as [number[][][], number[][][], Float32Array, Float32Array];
      // Row 1's real tokens are positions 0..2.
      for (let t = 0; t < 3; t++) expect(maxAbsDiff(seqA[1][t], seqB[1][t])).toBeLessThan(1e-5);
      expect(maxAbsDiff(seqA[1][4], seqB[1][4])).toBeGreaterThan(1e-3); // the padded slots themselves did change
      expect(maxAbsDiff(logA, logB), pooling).toBeLessThan(1e-5);
      model.dispose();
      disposeBatch(a);
      disposeBatch(b);
    }
  });

  it('mean pooling averages the real tokens only before the classifier', () => {
    const model = classifierModel('mean');
    const b = batch();
    const [logits, expected] = tf.tidy(() => {
      const seq = model.encode(b, { training: false }) as tf.Tensor3D; // [2, 6, H]
      const row0 = tf.mean(tf.slice(seq, [0, 0, 0], [1, 6, H]), 1); // [1, H]
      const row1 = tf.mean(tf.slice(seq, [1, 0, 0], [1, 3, H]), 1); // [1, H]
      const manual = tf.add(tf.matMul(tf.concat([row0, row1]), model.p('classifier.weight')), model.p('classifier.bias'));
      return [model.forwardSequence(b, { training: false }).dataSync(), manual.dataSync()];
    });
    expect(maxAbsDiff(logits, expected)).toBeLessThan(1e-5);
    model.dispose();
    disposeBatch(b);
  });

  it('applies dropout only when training with an rng, reproducibly for a seed', () => {
    const model = classifierModel('pooler');
    const b = batch();
    const run = (opts: { training: boolean; rng?: ReturnType<typeof createRng> }) => tf.tidy(() => model.forwardSequence(b, opts).dataSync());
    const evalOut = run({ training: false });
    expect(maxAbsDiff(run({ training: true }), evalOut)).toBe(0);
    expect(maxAbsDiff(run({ training: false, rng: createRng(1) }), evalOut)).toBe(0);
    const t1 = run({ training: true, rng: createRng(5) });
    expect(maxAbsDiff(t1, evalOut)).toBeGreaterThan(1e-4);
    expect(maxAbsDiff(run({ training: true, rng: createRng(5) }), t1)).toBe(0);
    expect(maxAbsDiff(run({ training: true, rng: createRng(6) }), t1)).toBeGreaterThan(1e-6);
    model.dispose();
    disposeBatch(b);
  });

  it('counts parameters as Hugging Face does (tied decoder once) and LoRA as r·(in + out) per module', () => {
    const L = config.numHiddenLayers;
    const embeddings = V * H + config.maxPositionEmbeddings * H + config.typeVocabSize * H + 2 * H;
    const layer = 4 * (H * H + H) + 2 * H + (H * I + I) + (I * H + H) + 2 * H;
    const pooler = H * H + H;
    const mlm = H * H + H + 2 * H + V;
    const model = TaskModel.create(config, { seed: 1, mlmHead: true });
    expect(model.countParams()).toEqual({ total: embeddings + L * layer + pooler + mlm, trainable: embeddings + L * layer + pooler + mlm });
    model.setClassifier({ task: 'sequence-classification', labels: ['x', 'y'], pooling: 'pooler', dropout: 0 }, 1);
    const base = embeddings + L * layer + pooler + mlm + H * 2 + 2;
    expect(model.countParams().total).toBe(base);
    model.addLora({ rank: 4, alpha: 8, dropout: 0, targetModules: ['query', 'intermediate'], seed: 1 });
    const lora = L * (4 * (H + H) + 4 * (H + I));
    expect(model.countParams().total).toBe(base + lora);
    expect(model.trainableParams().filter((p) => p.name.includes('.lora_')).reduce((a, p) => a + p.variable.size, 0)).toBe(lora);
    expect(() => model.addLora({ rank: 2, alpha: 2, dropout: 0, targetModules: ['query'], seed: 2 })).toThrow('bert.encoder.layer.0.attention.self.query already has a LoRA adapter');
    model.dispose();
  });

  it('clones deeply (teacher and student diverge) and keeps chosen layers for a student', () => {
    const teacher = classifierModel('pooler');
    teacher.p('bert.embeddings.word_embeddings.weight').trainable = false;
    const copy = teacher.clone();
    const b = batch();
    const eval_ = { training: false };
    const before = tf.tidy(() => teacher.forwardSequence(b, eval_).dataSync());
    expect(maxAbsDiff(tf.tidy(() => copy.forwardSequence(b, eval_).dataSync()), before)).toBe(0);
    expect(copy.p('bert.embeddings.word_embeddings.weight').trainable).toBe(false);
    tf.tidy(() => {
      copy.p('bert.encoder.layer.0.attention.self.value.weight').assign(tf.zeros([H, H]));
    });
    expect(maxAbsDiff(tf.tidy(() => teacher.forwardSequence(b, eval_).dataSync()), before)).toBe(0);
    expect(maxAbsDiff(tf.tidy(() => copy.forwardSequence(b, eval_).dataSync()), before)).toBeGreaterThan(1e-4);
    // The copy survives the original's disposal.
    teacher.dispose();
    expect(copy.p('bert.pooler.dense.weight').dataSync().length).toBe(H * H);

    const student = copy.withLayers([0, 2]);
    expect(student.config.numHiddenLayers).toBe(2);
    expect(Array.from(student.p('bert.encoder.layer.1.output.dense.weight').dataSync())).toEqual(Array.from(copy.p('bert.encoder.layer.2.output.dense.weight').dataSync()));
    expect(student.params.has('bert.encoder.layer.2.output.dense.weight')).toBe(false);
    expect(student.head?.labels).toEqual(['a', 'b', 'c']);
    expect(tf.tidy(() => student.forwardSequence(b, eval_).shape)).toEqual([2, 3]);
    expect(() => copy.withLayers([3])).toThrow('layer 3 does not exist (model has 3)');
    expect(() => copy.withLayers([])).toThrow('keep at least one encoder layer');
    expect(() => copy.withLayers([1, 1])).toThrow('has duplicates');
    [copy, student].forEach((m) => m.dispose());
    disposeBatch(b);
  });

  it('folds unmerged LoRA adapters into a student, which then computes what the teacher computes', () => {
    const teacher = classifierModel('pooler');
    teacher.addLora({ rank: 2, alpha: 4, dropout: 0, targetModules: ['query', 'intermediate'], seed: 2 });
    for (const a of teacher.lora.values()) {
      tf.tidy(() => {
        a.B.assign(tf.randomNormal(a.B.shape, 0, 0.5, 'float32', 3));
      });
    }
    const b = batch();
    const eval_ = { training: false };
    const student = teacher.withLayers([0, 1, 2]);
    expect(student.lora.size).toBe(0);
    const want = tf.tidy(() => teacher.forwardSequence(b, eval_).dataSync());
    const plain = teacher.clone();
    plain.lora.forEach((a) => tf.dispose([a.A, a.B]));
    plain.lora.clear();
    expect(maxAbsDiff(tf.tidy(() => plain.forwardSequence(b, eval_).dataSync()), want)).toBeGreaterThan(1e-3); // the adapters matter
    expect(maxAbsDiff(tf.tidy(() => student.forwardSequence(b, eval_).dataSync()), want)).toBeLessThan(1e-5);
    [teacher, student, plain].forEach((m) => m.dispose());
    disposeBatch(b);
  });

  it('refuses bad LoRA settings without changing the model', () => {
    const model = TaskModel.create(config, { seed: 1 });
    model.addLora({ rank: 2, alpha: 2, dropout: 0, targetModules: ['value'], seed: 1 });
    expect(() => model.addLora({ rank: 2, alpha: 2, dropout: 0, targetModules: ['query', 'value'], seed: 1 })).toThrow('bert.encoder.layer.0.attention.self.value already has a LoRA adapter');
    expect(model.lora.size).toBe(3);
    expect(() => model.addLora({ rank: 0, alpha: 2, dropout: 0, targetModules: ['key'], seed: 1 })).toThrow('rank must be a positive integer, got 0');
    expect(() => model.addLora({ rank: 2, alpha: 2, dropout: 1, targetModules: ['key'], seed: 1 })).toThrow('dropout must be in [0, 1), got 1');
    expect(model.lora.size).toBe(3);
    model.dispose();
  });

  it('leaves no tensors behind: create, forward, LoRA merge/unmerge, clone, dispose', () => {
    const start = tf.memory().numTensors;
    const model = classifierModel('mean');
    model.addLora({ rank: 2, alpha: 4, dropout: 0.1, targetModules: ['query', 'value', 'output'], seed: 9 });
    const weights = model.allWeights().length;
    expect(tf.memory().numTensors - start).toBe(weights);
    const b = batch();
    tf.tidy(() => {
      model.forwardSequence(b, { training: true, rng: createRng(1) });
    });
    model.mergeLora();
    model.unmergeLora();
    const copy = model.clone();
    const student = model.withLayers([1]);
    [model, copy, student].forEach((m) => m.dispose());
    disposeBatch(b);
    expect(tf.memory().numTensors).toBe(start);
  });
});
