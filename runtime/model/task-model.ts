// A BERT encoder with its optional heads and LoRA adapters: the value that flows along `Model` edges.
// Weights live in one map keyed by Hugging Face names (Linear kernels stored [in, out]);
// a variable's `trainable` flag is the single truth about freezing.
import { tf, type Tensor, type Tensor1D, type Tensor2D, type Tensor3D, type Variable } from '../tf';
import type { BertConfig } from './bert-config';
import { dense, dropout, embeddingLookup, gelu, geluTanh, isFrozen, layerNorm, multiHeadAttention } from './ops';
import { encoderParamShapes, isLinearWeight, isNoDecay, layerPrefix, LINEAR_MODULE_PATHS, mlmParamShapes, type LinearModuleKind } from './param-names';
import { createRng, type Rng } from './rng';
import { tiedDecoder } from './tied-decoder';
import type { TrainableParam } from './trainable-param';

export type HeadTask = 'sequence-classification' | 'token-classification';

/** The task head's settings; its weights are `classifier.weight` [H, C] and `classifier.bias` [C]. */
export interface ClassifierHead {
  task: HeadTask;
  labels: string[];
  pooling: 'pooler' | 'cls' | 'mean';
  dropout: number;
  /**
   * Tokens per input the head was fine-tuned (or distilled) at. Evaluation and Try it feed inputs of
   * this length, so a model trained and validated on 64 tokens is not scored on 128. Absent before
   * training (and in checkpoints from elsewhere): the model's positions, at most 128, are used.
   */
  maxSeqLength?: number;
}

/** One LoRA adapter on a Linear module: y = xW + b + (alpha/r)·dropout(x)·A·B. */
export interface LoraAdapter {
  /** HF module path, e.g. `bert.encoder.layer.0.attention.self.query`. */
  module: string;
  /** [in, r] (PEFT's lora_A.weight transposed). */
  A: Variable;
  /** [r, out] (PEFT's lora_B.weight transposed). */
  B: Variable;
  rank: number;
  alpha: number;
  dropout: number;
  merged: boolean;
}

/** Token ids and masks, row-major [batch, seq]. */
export interface Batch {
  inputIds: Tensor2D;
  attentionMask: Tensor2D;
  tokenTypeIds?: Tensor2D;
}

export interface ForwardOptions {
  training: boolean;
  rng?: Rng;
}

/**
 * A variable that owns its memory. `tf.variable(t)` shares t's buffer and leaves t alive, so the
 * buffer would outlive the variable's dispose(); disposing t here hands the buffer to the variable alone.
 */
export function ownedVariable(t: Tensor, trainable = true): Variable {
  const v = tf.variable(t, trainable);
  t.dispose();
  return v;
}

/** Overwrites a variable's value. Inside tidy, so the temporary that carried the value is released. */
export function assignValue(v: Variable, value: () => Tensor): void {
  tf.tidy(() => {
    v.assign(value());
  });
}

function normalVariable(shape: number[], std: number, rng: Rng): Variable {
  const size = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(size);
  for (let i = 0; i < size; i++) data[i] = rng.normal() * std;
  return ownedVariable(tf.tensor(data, shape));
}

function initialParam(name: string, shape: number[], config: BertConfig, rng: Rng): Variable {
  if (name.endsWith('LayerNorm.weight')) return ownedVariable(tf.ones(shape));
  if (name.endsWith('.bias')) return ownedVariable(tf.zeros(shape));
  if (name === 'bert.embeddings.word_embeddings.weight') {
    // As HF's _init_weights: normal(0, initializer_range) with the padding token's row zeroed.
    const size = shape[0] * shape[1];
    const data = new Float32Array(size);
    for (let i = 0; i < size; i++) data[i] = rng.normal() * config.initializerRange;
    if (config.padTokenId >= 0 && config.padTokenId < shape[0]) data.fill(0, config.padTokenId * shape[1], (config.padTokenId + 1) * shape[1]);
    return ownedVariable(tf.tensor(data, shape));
  }
  return normalVariable(shape, config.initializerRange, rng);
}

export class TaskModel {
  readonly config: BertConfig;
  /** Every weight by HF name (internal layout). */
  readonly params = new Map<string, Variable>();
  /** Per-weight learning-rate multipliers (discriminative fine-tuning); absent = 1. */
  readonly lrScales = new Map<string, number>();
  readonly lora = new Map<string, LoraAdapter>();
  head: ClassifierHead | null = null;
  hasMlmHead = false;
  /** ULMFiT gradual unfreezing for the next training stage: layers unfrozen per epoch, or null. */
  gradualUnfreeze: { perEpoch: number } | null = null;
  /** Fold LoRA adapters into the base weights once the next training stage ends. */
  mergeLoraAfterTraining = false;

  constructor(config: BertConfig) {
    this.config = config;
  }

  /** A randomly initialised model (normal(0, initializerRange), LayerNorm 1/0, biases 0). */
  static create(config: BertConfig, opts: { seed: number; mlmHead?: boolean }): TaskModel {
    const model = new TaskModel(config);
    const rng = createRng(opts.seed);
    for (const [name, shape] of encoderParamShapes(config)) model.params.set(name, initialParam(name, shape, config, rng));
    if (opts.mlmHead) model.addMlmHead(opts.seed + 1);
    return model;
  }

  /** Adds (freshly initialised) masked-LM head weights if missing. */
  addMlmHead(seed: number): void {
    const rng = createRng(seed);
    for (const [name, shape] of mlmParamShapes(this.config)) if (!this.params.has(name)) this.params.set(name, initialParam(name, shape, this.config, rng));
    this.hasMlmHead = true;
  }

  /** Replaces the classifier with a fresh one for `head.labels`. */
  setClassifier(head: ClassifierHead, seed: number): void {
    this.params.get('classifier.weight')?.dispose();
    this.params.get('classifier.bias')?.dispose();
    const rng = createRng(seed);
    this.params.set('classifier.weight', normalVariable([this.config.hiddenSize, head.labels.length], this.config.initializerRange, rng));
    this.params.set('classifier.bias', ownedVariable(tf.zeros([head.labels.length])));
    this.head = head;
  }

  /** The weight called `name`; a missing weight is a broken invariant. */
  p(name: string): Variable {
    const v = this.params.get(name);
    if (!v) throw new Error(`model has no weight "${name}"`);
    return v;
  }

  private linear(x: Tensor, module: string, opts: ForwardOptions): Tensor {
    const w = this.p(`${module}.weight`);
    const b = this.p(`${module}.bias`);
    // dense's frozen path computes neither kernel nor bias gradients: only take it when both are frozen.
    let y = dense(x, w, b, isFrozen(w) && isFrozen(b));
    const adapter = this.lora.get(module);
    if (adapter && !adapter.merged) {
      const xd = dropout(x, adapter.dropout, opts.rng, opts.training);
      const update = dense(dense(xd, adapter.A as unknown as Tensor2D), adapter.B as unknown as Tensor2D); // [..., out]
      y = tf.add(y, tf.mul(update, adapter.alpha / adapter.rank));
    }
    return y;
  }

  private act(x: Tensor): Tensor {
    return this.config.hiddenAct === 'gelu_new' ? geluTanh(x) : gelu(x);
  }

  /** The encoder: sequence output [B, T, H]. Must run inside tf.tidy or variableGrads. */
  encode(batch: Batch, opts: ForwardOptions): Tensor3D {
    const c = this.config;
    const [B, T] = batch.inputIds.shape;
    if (T > c.maxPositionEmbeddings) throw new Error(`sequence length ${T} exceeds max_position_embeddings ${c.maxPositionEmbeddings}`);
    const H = c.hiddenSize;
    const heads = c.numAttentionHeads;
    const words = embeddingLookup(this.p('bert.embeddings.word_embeddings.weight') as unknown as Tensor2D, batch.inputIds); // [B, T, H]
    const positions = tf.slice(this.p('bert.embeddings.position_embeddings.weight'), [0, 0], [T, H]); // [T, H]
    const typeIds = batch.tokenTypeIds ?? tf.zeros([B, T], 'int32');
    const types = embeddingLookup(this.p('bert.embeddings.token_type_embeddings.weight') as unknown as Tensor2D, typeIds); // [B, T, H]
    let x = tf.add(tf.add(words, positions), types);
    x = layerNorm(x, this.p('bert.embeddings.LayerNorm.weight'), this.p('bert.embeddings.LayerNorm.bias'), c.layerNormEps);
    x = dropout(x, c.hiddenDropoutProb, opts.rng, opts.training);

    // Additive mask: 0 where attended, -1e9 on padding; broadcast over heads and query positions.
    const maskAdd = tf.reshape(tf.mul(tf.sub(1, tf.cast(batch.attentionMask, 'float32')), -1e9), [B, 1, 1, T]); // [B, 1, 1, T]
    for (let i = 0; i < c.numHiddenLayers; i++) {
      const p = layerPrefix(i);
      const q = this.linear(x, `${p}.attention.self.query`, opts); // [B, T, H]
      const k = this.linear(x, `${p}.attention.self.key`, opts); // [B, T, H]
      const v = this.linear(x, `${p}.attention.self.value`, opts); // [B, T, H]
      // softmax(q·kᵀ/√d + mask) → dropout → ·v per head, as one op whose backward keeps only the probabilities.
      const merged = multiHeadAttention(q, k, v, heads, { maskAdd, dropout: c.attentionProbsDropoutProb, rng: opts.rng, training: opts.training }); // [B, T, H]
      let attn = this.linear(merged, `${p}.attention.output.dense`, opts);
      attn = dropout(attn, c.hiddenDropoutProb, opts.rng, opts.training);
      x = layerNorm(tf.add(attn, x), this.p(`${p}.attention.output.LayerNorm.weight`), this.p(`${p}.attention.output.LayerNorm.bias`), c.layerNormEps);
      const inter = this.act(this.linear(x, `${p}.intermediate.dense`, opts)); // [B, T, I]
      let out = this.linear(inter, `${p}.output.dense`, opts);
      out = dropout(out, c.hiddenDropoutProb, opts.rng, opts.training);
      x = layerNorm(tf.add(out, x), this.p(`${p}.output.LayerNorm.weight`), this.p(`${p}.output.LayerNorm.bias`), c.layerNormEps);
    }
    return x as Tensor3D;
  }

  /** BERT pooler: tanh(dense(h[:, 0])) → [B, H]. */
  pool(sequence: Tensor3D, opts: ForwardOptions): Tensor2D {
    const [B, , H] = sequence.shape;
    const first = tf.reshape(tf.slice(sequence, [0, 0, 0], [B, 1, H]), [B, H]); // [B, H]
    return tf.tanh(this.linear(first, 'bert.pooler.dense', opts)) as Tensor2D;
  }

  /** Masked-LM logits [N, V] for the flat positions (into B·T) given, or for every position. */
  forwardMlm(batch: Batch, opts: ForwardOptions, positions?: Tensor1D): Tensor2D {
    if (!this.hasMlmHead) throw new Error('model has no masked-LM head');
    const sequence = this.encode(batch, opts);
    const H = this.config.hiddenSize;
    let h = tf.reshape(sequence, [-1, H]) as Tensor2D; // [B·T, H]
    if (positions) h = tf.gather(h, positions) as Tensor2D; // [N, H]
    h = this.act(this.linear(h, 'cls.predictions.transform.dense', opts)) as Tensor2D;
    h = layerNorm(h, this.p('cls.predictions.transform.LayerNorm.weight'), this.p('cls.predictions.transform.LayerNorm.bias'), this.config.layerNormEps) as Tensor2D;
    // Decoder tied to the word embeddings, with its own bias: [N, H] → [N, V].
    return tiedDecoder(h, this.p('bert.embeddings.word_embeddings.weight'), this.p('cls.predictions.bias'));
  }

  /** Sequence-classification logits [B, C]. */
  forwardSequence(batch: Batch, opts: ForwardOptions): Tensor2D {
    const head = this.requireHead('sequence-classification');
    const sequence = this.encode(batch, opts);
    let features: Tensor2D;
    if (head.pooling === 'pooler') features = this.pool(sequence, opts);
    else if (head.pooling === 'cls') {
      const [B, , H] = sequence.shape;
      features = tf.reshape(tf.slice(sequence, [0, 0, 0], [B, 1, H]), [B, H]) as Tensor2D;
    } else {
      const mask = tf.expandDims(tf.cast(batch.attentionMask, 'float32'), -1); // [B, T, 1]
      features = tf.div(tf.sum(tf.mul(sequence, mask), 1), tf.maximum(tf.sum(mask, 1), 1)) as Tensor2D; // [B, H]
    }
    features = dropout(features, head.dropout, opts.rng, opts.training) as Tensor2D;
    return dense(features, this.p('classifier.weight') as unknown as Tensor2D, this.p('classifier.bias')) as Tensor2D;
  }

  /** Token-classification logits [B, T, C]. */
  forwardTokens(batch: Batch, opts: ForwardOptions): Tensor3D {
    const head = this.requireHead('token-classification');
    const sequence = dropout(this.encode(batch, opts), head.dropout, opts.rng, opts.training);
    return dense(sequence, this.p('classifier.weight') as unknown as Tensor2D, this.p('classifier.bias')) as Tensor3D;
  }

  private requireHead(task: HeadTask): ClassifierHead {
    if (!this.head) throw new Error(`model has no task head; add a ${task} head first`);
    if (this.head.task !== task) throw new Error(`model has a ${this.head.task} head, not ${task}`);
    return this.head;
  }

  /**
   * Adds LoRA adapters to the chosen module kinds of every layer; freezes nothing by itself.
   * Adapters inherit the layer-wise learning-rate scale of the weight they adapt, if one is set.
   */
  addLora(spec: { rank: number; alpha: number; dropout: number; targetModules: readonly LinearModuleKind[]; seed: number }): void {
    if (!Number.isInteger(spec.rank) || spec.rank < 1) throw new Error(`addLora: rank must be a positive integer, got ${spec.rank}`);
    if (!(spec.alpha > 0)) throw new Error(`addLora: alpha must be positive, got ${spec.alpha}`);
    if (!(spec.dropout >= 0 && spec.dropout < 1)) throw new Error(`addLora: dropout must be in [0, 1), got ${spec.dropout}`);
    const modules: string[] = [];
    for (let i = 0; i < this.config.numHiddenLayers; i++) for (const kind of spec.targetModules) modules.push(`${layerPrefix(i)}.${LINEAR_MODULE_PATHS[kind]}`);
    // Check everything before adding anything, so a refusal leaves the model unchanged.
    for (const module of modules) if (this.lora.has(module)) throw new Error(`module ${module} already has a LoRA adapter`);
    const rng = createRng(spec.seed);
    for (const module of modules) {
      const [inDim, outDim] = this.p(`${module}.weight`).shape;
      // PEFT: kaiming_uniform_(a=√5) on lora_A [r, in] → U(-1/√in, 1/√in); lora_B zeros.
      const bound = 1 / Math.sqrt(inDim);
      const a = new Float32Array(inDim * spec.rank);
      for (let k = 0; k < a.length; k++) a[k] = (rng.next() * 2 - 1) * bound;
      this.lora.set(module, {
        module,
        A: ownedVariable(tf.tensor2d(a, [inDim, spec.rank])),
        B: ownedVariable(tf.zeros([spec.rank, outDim])),
        rank: spec.rank,
        alpha: spec.alpha,
        dropout: spec.dropout,
        merged: false,
      });
      const scale = this.lrScales.get(`${module}.weight`);
      if (scale !== undefined) {
        this.lrScales.set(`${module}.lora_A`, scale);
        this.lrScales.set(`${module}.lora_B`, scale);
      }
    }
  }

  /** Folds every adapter into its base weight: W += (alpha/r)·A·B (exact up to float rounding). */
  mergeLora(): void {
    for (const a of this.lora.values()) {
      if (a.merged) continue;
      const w = this.p(`${a.module}.weight`);
      assignValue(w, () => tf.add(w, tf.mul(tf.matMul(a.A, a.B), a.alpha / a.rank)));
      a.merged = true;
    }
  }

  /** Takes merged adapters back out of the base weights. */
  unmergeLora(): void {
    for (const a of this.lora.values()) {
      if (!a.merged) continue;
      const w = this.p(`${a.module}.weight`);
      assignValue(w, () => tf.sub(w, tf.mul(tf.matMul(a.A, a.B), a.alpha / a.rank)));
      a.merged = false;
    }
  }

  /** Every weight with its name, adapters included (`<module>.lora_A` / `.lora_B`, internal layout). */
  allWeights(): [string, Variable][] {
    const out: [string, Variable][] = [...this.params];
    for (const a of this.lora.values()) out.push([`${a.module}.lora_A`, a.A], [`${a.module}.lora_B`, a.B]);
    return out;
  }

  /** What the optimizer should update: trainable weights with their LR scale and decay rule. */
  trainableParams(): TrainableParam[] {
    return this.allWeights()
      .filter(([, v]) => v.trainable)
      .map(([name, variable]) => ({ name, variable, lrScale: this.lrScales.get(name) ?? 1, weightDecay: !isNoDecay(name) }));
  }

  /** Parameter counts; the tied decoder is counted once, as in Hugging Face. */
  countParams(): { total: number; trainable: number } {
    let total = 0;
    let trainable = 0;
    for (const [, v] of this.allWeights()) {
      total += v.size;
      if (v.trainable) trainable += v.size;
    }
    return { total, trainable };
  }

  /** A deep copy with its own variables (teacher/student, branching pipelines). */
  clone(): TaskModel {
    const copy = new TaskModel({ ...this.config });
    for (const [name, v] of this.params) copy.params.set(name, tf.variable(v, v.trainable));
    for (const [name, s] of this.lrScales) copy.lrScales.set(name, s);
    for (const [module, a] of this.lora) copy.lora.set(module, { ...a, A: tf.variable(a.A, a.A.trainable), B: tf.variable(a.B, a.B.trainable) });
    copy.head = this.head ? { ...this.head, labels: [...this.head.labels] } : null;
    copy.hasMlmHead = this.hasMlmHead;
    copy.gradualUnfreeze = this.gradualUnfreeze;
    copy.mergeLoraAfterTraining = this.mergeLoraAfterTraining;
    return copy;
  }

  /**
   * A smaller model keeping the given encoder layers (DistilBERT-style student initialisation).
   * Unmerged LoRA adapters are folded into the student's copies of the weights they adapt, so each
   * kept layer computes what it computed in this model; every student weight is trainable.
   */
  withLayers(keep: number[]): TaskModel {
    if (keep.length === 0) throw new Error('withLayers: keep at least one encoder layer');
    if (new Set(keep).size !== keep.length) throw new Error(`withLayers: layer list [${keep.join(', ')}] has duplicates`);
    for (const i of keep) if (!Number.isInteger(i) || i < 0 || i >= this.config.numHiddenLayers) throw new Error(`withLayers: layer ${i} does not exist (model has ${this.config.numHiddenLayers})`);
    const student = new TaskModel({ ...this.config, numHiddenLayers: keep.length });
    const copyOf = (name: string, v: Variable): Variable => {
      const adapter = name.endsWith('.weight') ? this.lora.get(name.slice(0, -'.weight'.length)) : undefined;
      if (!adapter || adapter.merged) return tf.variable(v, true);
      return ownedVariable(tf.tidy(() => tf.add(v, tf.mul(tf.matMul(adapter.A, adapter.B), adapter.alpha / adapter.rank))));
    };
    for (const [name, v] of this.params) {
      const m = /^bert\.encoder\.layer\.(\d+)\.(.*)$/.exec(name);
      if (!m) student.params.set(name, copyOf(name, v));
      else {
        const target = keep.indexOf(Number(m[1]));
        if (target >= 0) student.params.set(`bert.encoder.layer.${target}.${m[2]}`, copyOf(name, v));
      }
    }
    student.head = this.head ? { ...this.head, labels: [...this.head.labels] } : null;
    student.hasMlmHead = this.hasMlmHead;
    return student;
  }

  dispose(): void {
    for (const [, v] of this.allWeights()) v.dispose();
    this.params.clear();
    this.lora.clear();
  }
}

export { isLinearWeight };
