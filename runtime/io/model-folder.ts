// A model as a folder in Hugging Face layout — config.json, model.safetensors, tokenizer files,
// a PEFT adapter when LoRA is unmerged — plus tunegraph.json for what HF has no field for
// (which weights train, per-weight learning-rate scales, the head's pooling, lineage).
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelValue } from '../exec/port-values';
import { assignValue, ownedVariable, TaskModel, type ClassifierHead } from '../model/task-model';
import { tf } from '../tf';
import { writeFileAtomic } from './atomic-write';
import { bertConfigToHf, labelsFromConfig, parseBertConfig } from './hf-config';
import { loadHfTensors, modelToHfTensors, transpose2d, type HostTensor } from './hf-state';
import { readTokenizerFolder, writeTokenizerFiles } from './hf-tokenizer-files';
import { peftTensorName, readPeftAdapter, writePeftAdapter } from './peft-adapter';
import { readSafetensorsFile, writeSafetensorsFile } from './safetensors';

interface TunegraphMeta {
  format: 1;
  head: ClassifierHead | null;
  hasMlmHead: boolean;
  frozen: string[];
  lrScales: Record<string, number>;
  lora: { module: string; rank: number; alpha: number; dropout: number }[];
  lineage: string[];
  gradualUnfreeze?: { perEpoch: number } | null;
  mergeLoraAfterTraining?: boolean;
}

function architectureOf(model: TaskModel): string {
  if (model.head?.task === 'sequence-classification') return 'BertForSequenceClassification';
  if (model.head?.task === 'token-classification') return 'BertForTokenClassification';
  if (model.hasMlmHead) return 'BertForMaskedLM';
  return 'BertModel';
}

/** Writes a model folder that transformers (and PEFT, for the adapter) load as is. */
export async function saveModelFolder(dir: string, value: ModelValue, opts: { dtype?: 'F32' | 'F16'; adapterOnly?: boolean } = {}): Promise<void> {
  const { model, tokenizer } = value;
  mkdirSync(dir, { recursive: true });
  const arch = architectureOf(model);
  writeFileAtomic(join(dir, 'config.json'), JSON.stringify(bertConfigToHf(model.config, { architectures: [arch], labels: model.head?.labels, problemType: model.head?.task === 'sequence-classification' ? 'single_label_classification' : undefined }), null, 2));
  const tensors = modelToHfTensors(model, { includePooler: arch === 'BertForSequenceClassification' || arch === 'BertModel' || model.head?.pooling === 'pooler' });
  writeSafetensorsFile(join(dir, 'model.safetensors'), tensors, { dtype: opts.dtype ?? 'F32' });
  writeTokenizerFiles(dir, tokenizer);
  const unmerged = [...model.lora.values()].filter((a) => !a.merged);
  if (unmerged.length > 0) exportPeftAdapter(join(dir, 'adapter'), model);
  const frozen = model.allWeights().filter(([, v]) => !v.trainable).map(([n]) => n);
  const meta: TunegraphMeta = {
    format: 1,
    head: model.head,
    hasMlmHead: model.hasMlmHead,
    frozen,
    lrScales: Object.fromEntries(model.lrScales),
    lora: unmerged.map((a) => ({ module: a.module, rank: a.rank, alpha: a.alpha, dropout: a.dropout })),
    lineage: value.lineage,
    gradualUnfreeze: model.gradualUnfreeze,
    mergeLoraAfterTraining: model.mergeLoraAfterTraining,
  };
  writeFileAtomic(join(dir, 'tunegraph.json'), JSON.stringify(meta, null, 2));
}

/** The LoRA adapters (and the classifier, as modules_to_save) as a PEFT adapter folder. */
export function exportPeftAdapter(dir: string, model: TaskModel, baseModelNameOrPath: string | null = null): void {
  const adapters = [...model.lora.values()];
  if (adapters.length === 0) throw new Error('the model has no LoRA adapters to export');
  const first = adapters[0];
  const tensors: Record<string, HostTensor> = {};
  for (const a of adapters) {
    const [inDim, r] = a.A.shape;
    const [, outDim] = a.B.shape;
    tensors[peftTensorName(a.module, 'A')] = { shape: [r, inDim], data: transpose2d(a.A.dataSync() as Float32Array, inDim, r) };
    tensors[peftTensorName(a.module, 'B')] = { shape: [outDim, r], data: transpose2d(a.B.dataSync() as Float32Array, r, outDim) };
  }
  const withHead = model.head !== null && model.params.has('classifier.weight');
  // A trained pooler travels with the adapter as a modules_to_save module, like the classifier.
  const withPooler = withHead && model.p('bert.pooler.dense.weight').trainable;
  if (withPooler) {
    const w = model.p('bert.pooler.dense.weight');
    const [i, o] = w.shape;
    tensors['base_model.model.bert.pooler.dense.weight'] = { shape: [o, i], data: transpose2d(w.dataSync() as Float32Array, i, o) };
    tensors['base_model.model.bert.pooler.dense.bias'] = { shape: [o], data: Float32Array.from(model.p('bert.pooler.dense.bias').dataSync()) };
  }
  if (withHead) {
    const w = model.p('classifier.weight');
    const [h, c] = w.shape;
    tensors['base_model.model.classifier.weight'] = { shape: [c, h], data: transpose2d(w.dataSync() as Float32Array, h, c) };
    tensors['base_model.model.classifier.bias'] = { shape: [c], data: Float32Array.from(model.p('classifier.bias').dataSync()) };
  }
  // Full module paths: PEFT matches a list entry by equality or "." + suffix, and the short name
  // "output.dense" would also catch attention.output.dense.
  const targets = adapters.map((a) => a.module);
  mkdirSync(dir, { recursive: true });
  writePeftAdapter(
    dir,
    {
      r: first.rank,
      loraAlpha: first.alpha,
      loraDropout: first.dropout,
      targetModules: targets,
      modulesToSave: withHead ? (withPooler ? ['classifier', 'pooler.dense'] : ['classifier']) : null,
      taskType: model.head?.task === 'sequence-classification' ? 'SEQ_CLS' : model.head?.task === 'token-classification' ? 'TOKEN_CLS' : null,
      baseModelNameOrPath,
    },
    tensors,
  );
}

/** Adds the adapters of a PEFT folder to a model (and its classifier from modules_to_save). */
export function importPeftAdapter(dir: string, model: TaskModel): void {
  const { config, tensors } = readPeftAdapter(dir);
  for (const [module, { A, B }] of tensors.lora) {
    if (!A || !B) throw new Error(`${dir}: module ${module} has only one of lora_A / lora_B`);
    const base = model.params.get(`${module}.weight`);
    if (!base) throw new Error(`${dir}: adapter targets "${module}", which the model does not have`);
    const [inDim, outDim] = base.shape;
    if (A.shape[1] !== inDim || B.shape[0] !== outDim) {
      throw new Error(`${dir}: adapter for "${module}" has lora_A [${A.shape.join(', ')}] and lora_B [${B.shape.join(', ')}], the layer expects [${config.r}, ${inDim}] and [${outDim}, ${config.r}]`);
    }
    model.lora.get(module)?.A.dispose();
    model.lora.get(module)?.B.dispose();
    model.lora.set(module, {
      module,
      A: ownedVariable(tf.tensor2d(transpose2d(A.data, config.r, inDim), [inDim, config.r])),
      B: ownedVariable(tf.tensor2d(transpose2d(B.data, outDim, config.r), [config.r, outDim])),
      rank: config.r,
      alpha: config.loraAlpha,
      dropout: config.loraDropout,
      merged: false,
    });
  }
  const pw = tensors.saved.get('bert.pooler.dense.weight');
  const pb = tensors.saved.get('bert.pooler.dense.bias');
  if (pw && pb) {
    const [o, i] = pw.shape;
    assignValue(model.p('bert.pooler.dense.weight'), () => tf.tensor2d(transpose2d(pw.data, o, i), [i, o]));
    assignValue(model.p('bert.pooler.dense.bias'), () => tf.tensor1d(pb.data));
  }
  const w = tensors.saved.get('classifier.weight');
  const b = tensors.saved.get('classifier.bias');
  if (w && b && model.params.has('classifier.weight')) {
    const [c, h] = w.shape;
    assignValue(model.p('classifier.weight'), () => tf.tensor2d(transpose2d(w.data, c, h), [h, c]));
    assignValue(model.p('classifier.bias'), () => tf.tensor1d(b.data));
  }
}

/** Reads a folder written by saveModelFolder, or any Hugging Face BERT folder. */
export async function loadModelFolder(dir: string, opts: { lineage?: string[]; onWarning?: (message: string) => void } = {}): Promise<ModelValue> {
  const configPath = join(dir, 'config.json');
  if (!existsSync(configPath)) throw new Error(`${dir}: no config.json; is this a Hugging Face model folder?`);
  const configJson = JSON.parse(readFileSync(configPath, 'utf8')) as Record<string, unknown>;
  const config = parseBertConfig(configJson, configPath);
  const metaPath = join(dir, 'tunegraph.json');
  const meta = existsSync(metaPath) ? (JSON.parse(readFileSync(metaPath, 'utf8')) as TunegraphMeta) : null;
  const weightsPath = join(dir, 'model.safetensors');
  if (!existsSync(weightsPath)) throw new Error(`${dir}: no model.safetensors (PyTorch .bin checkpoints cannot be read; convert with safetensors first)`);
  const file = readSafetensorsFile(weightsPath);
  const host = new Map<string, HostTensor>();
  for (const [k, t] of file.tensors) host.set(k, { shape: t.shape, data: t.data instanceof Float32Array ? t.data : Float32Array.from(t.data) });

  const hasMlm = meta?.hasMlmHead ?? [...host.keys()].some((k) => k.startsWith('cls.predictions.transform'));
  const model = TaskModel.create(config, { seed: 0, mlmHead: hasMlm });
  const labels = labelsFromConfig(configJson);
  const arch = ((configJson.architectures as string[] | undefined) ?? [])[0] ?? '';
  let head: ClassifierHead | null = meta?.head ?? null;
  if (!meta && host.has('classifier.weight') && labels) {
    head = { task: arch.includes('Token') ? 'token-classification' : 'sequence-classification', labels, pooling: 'pooler', dropout: config.hiddenDropoutProb };
  }
  if (head) model.setClassifier(head, 0);
  const { missing, unexpected } = loadHfTensors(model, host, weightsPath);
  const required = missing.filter((n) => !n.startsWith('bert.pooler.') && !n.startsWith('cls.'));
  if (required.length > 0) throw new Error(`${weightsPath}: missing tensor${required.length > 1 ? 's' : ''} ${required.slice(0, 5).map((n) => `"${n}"`).join(', ')}${required.length > 5 ? ` and ${required.length - 5} more` : ''}`);
  const warn = opts.onWarning ?? (() => {});
  if (missing.length > 0) warn(`${weightsPath}: freshly initialised (not in the file): ${missing.join(', ')}`);
  if (unexpected.length > 0) warn(`${weightsPath}: ignored tensors: ${unexpected.slice(0, 8).join(', ')}${unexpected.length > 8 ? ' …' : ''}`);

  if (meta) {
    if (meta.lora.length > 0) importPeftAdapter(join(dir, 'adapter'), model);
    for (const a of meta.lora) {
      const adapter = model.lora.get(a.module);
      if (adapter) adapter.dropout = a.dropout;
    }
    const frozen = new Set(meta.frozen);
    for (const [name, v] of model.allWeights()) v.trainable = !frozen.has(name);
    for (const [name, s] of Object.entries(meta.lrScales)) model.lrScales.set(name, s);
    model.gradualUnfreeze = meta.gradualUnfreeze ?? null;
    model.mergeLoraAfterTraining = meta.mergeLoraAfterTraining ?? false;
  }
  const tokenizer = readTokenizerFolder(dir);
  if (tokenizer.vocabSize !== config.vocabSize) {
    warn(`${dir}: tokenizer has ${tokenizer.vocabSize} tokens, config.json vocab_size is ${config.vocabSize}`);
    if (tokenizer.vocabSize > config.vocabSize) throw new Error(`${dir}: tokenizer has ${tokenizer.vocabSize} tokens but the embedding matrix only ${config.vocabSize} rows`);
  }
  return { model, tokenizer, lineage: meta?.lineage ?? opts.lineage ?? [dir] };
}
