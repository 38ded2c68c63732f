// A model as a folder in Hugging Face layout — config.json, model.safetensors, tokenizer files,
// a PEFT adapter when LoRA is unmerged — plus tunegraph.json for what HF has no field for
// (which weights train, per-weight learning-rate scales, the head's pooling, lineage).
import { mkdirSync, readFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import type { ModelValue } from '../exec/port-values';
import { assignValue, isLinearWeight, ownedVariable, TaskModel, type ClassifierHead, type LoraAdapter } from '../model/task-model';
import { tf } from '../tf';
import { writeFileAtomic } from './atomic-write';
import { bertConfigToHf, labelsFromConfig, parseBertConfig } from './hf-config';
import { loadHfTensors, modelToHfTensors, normaliseHfKey, transpose2d, type HostTensor } from './hf-state';
import { modelFilePath, readFolderJsonObject, readJsonChecked, requireModelFile } from './folder-file';
import { readSentenceTransformersHead } from './sentence-transformers';
import { readTokenizerFolder, writeTokenizerFiles } from './hf-tokenizer-files';
import { loraSettingsFor, peftTensorName, readPeftAdapter, writePeftAdapter } from './peft-adapter';
import { readSafetensorsCheckpoint, writeSafetensorsFile } from './safetensors';
import { readTorchCheckpoint } from './torch-checkpoint';

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

/** The transformers class a model's weights load into as is (a mean/cls head has none: see hf-export.ts). */
export function architectureOf(model: TaskModel): string {
  if (model.head?.task === 'sequence-classification') return model.head.pooling === 'pooler' ? 'BertForSequenceClassification' : 'BertModel';
  if (model.head?.task === 'token-classification') return 'BertForTokenClassification';
  if (model.hasMlmHead) return 'BertForMaskedLM';
  return 'BertModel';
}

/**
 * Writes a model as Tunegraph's artifact folder: a Hugging Face folder (every weight, the pooler
 * always, so a checkpoint's trained pooler is never dropped), the unmerged LoRA adapters as a PEFT
 * folder in `adapter/`, and tunegraph.json for what HF has no field for. Exports for Python users
 * are written by hf-export.ts.
 */
export async function saveModelFolder(dir: string, value: ModelValue, opts: { dtype?: 'F32' | 'F16' } = {}): Promise<void> {
  const { model, tokenizer } = value;
  mkdirSync(dir, { recursive: true });
  const arch = architectureOf(model);
  const dtype = opts.dtype ?? 'F32';
  writeFileAtomic(
    join(dir, 'config.json'),
    JSON.stringify(
      bertConfigToHf(model.config, {
        architectures: [arch],
        labels: model.head?.labels,
        problemType: model.head?.task === 'sequence-classification' ? 'single_label_classification' : undefined,
        torchDtype: dtype === 'F16' ? 'float16' : 'float32',
        classifierDropout: model.head ? model.head.dropout : null,
      }),
      null,
      2,
    ),
  );
  writeSafetensorsFile(join(dir, 'model.safetensors'), modelToHfTensors(model), { dtype });
  writeTokenizerFiles(dir, tokenizer, { maxPositions: model.config.maxPositionEmbeddings });
  const unmerged = [...model.lora.values()].filter((a) => !a.merged);
  if (unmerged.length > 0) exportPeftAdapter(join(dir, 'adapter'), model, '..');
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

/** `bert.encoder.layer.3.attention.self.value` → `attention.self.value` (null outside the encoder layers). */
function layerRelativePath(module: string): string | null {
  const m = /^bert\.encoder\.layer\.\d+\.(.+)$/.exec(module);
  return m ? m[1] : null;
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * PEFT rank_pattern / alpha_pattern for adapters whose rank or alpha differ from the default:
 * one key per module kind when every layer agrees (`layer\.\d+\.attention\.self\.value`), else one
 * per module. Keys are anchored after "layer." so `output.dense` never catches `attention.output.dense`.
 */
export function loraPatterns(adapters: LoraAdapter[], pick: (a: LoraAdapter) => number, fallback: number): Record<string, number> {
  const byKind = new Map<string, LoraAdapter[]>();
  for (const a of adapters) {
    const rel = layerRelativePath(a.module) ?? a.module;
    byKind.set(rel, [...(byKind.get(rel) ?? []), a]);
  }
  const out: Record<string, number> = {};
  for (const [rel, group] of byKind) {
    const values = new Set(group.map(pick));
    if (values.size === 1) {
      const v = pick(group[0]);
      if (v !== fallback) out[layerRelativePath(group[0].module) ? `layer\\.\\d+\\.${escapeRegex(rel)}` : escapeRegex(rel)] = v;
    } else for (const a of group) if (pick(a) !== fallback) out[escapeRegex(a.module.replace(/^bert\./, ''))] = pick(a);
  }
  return out;
}

/** The most common value (ties: the first seen), PEFT's default r or lora_alpha. */
function mostCommon(values: number[]): number {
  const counts = new Map<number, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best = values[0];
  for (const [v, n] of counts) if (n > counts.get(best)!) best = v;
  return best;
}

/**
 * The LoRA adapters (and the classifier and a trained pooler, as modules_to_save) as a PEFT adapter
 * folder. Adapters from different LoRA nodes keep their own rank and alpha through rank_pattern /
 * alpha_pattern. `baseModelNameOrPath` is written as given (exports use a path relative to the
 * adapter folder, e.g. "../base").
 */
export function exportPeftAdapter(dir: string, model: TaskModel, baseModelNameOrPath: string | null = null): void {
  const adapters = [...model.lora.values()].filter((a) => !a.merged);
  if (adapters.length === 0) throw new Error('the model has no unmerged LoRA adapters to export');
  const r = mostCommon(adapters.map((a) => a.rank));
  const alpha = mostCommon(adapters.map((a) => a.alpha));
  const tensors: Record<string, HostTensor> = {};
  for (const a of adapters) {
    const [inDim, rank] = a.A.shape;
    const [, outDim] = a.B.shape;
    tensors[peftTensorName(a.module, 'A')] = { shape: [rank, inDim], data: transpose2d(a.A.dataSync() as Float32Array, inDim, rank) };
    tensors[peftTensorName(a.module, 'B')] = { shape: [outDim, rank], data: transpose2d(a.B.dataSync() as Float32Array, rank, outDim) };
  }
  const withHead = model.head !== null && model.params.has('classifier.weight');
  // A trained pooler travels with the adapter as a modules_to_save module, like the classifier.
  const withPooler = withHead && model.head?.task === 'sequence-classification' && model.p('bert.pooler.dense.weight').trainable;
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
  const taskType = model.head?.task === 'sequence-classification' ? 'SEQ_CLS' : model.head?.task === 'token-classification' ? 'TOKEN_CLS' : null;
  writePeftAdapter(
    dir,
    {
      r,
      loraAlpha: alpha,
      rankPattern: loraPatterns(adapters, (a) => a.rank, r),
      alphaPattern: loraPatterns(adapters, (a) => a.alpha, alpha),
      loraDropout: mostCommon(adapters.map((a) => a.dropout)),
      targetModules: targets,
      modulesToSave: withHead ? (withPooler ? ['classifier', 'pooler.dense'] : ['classifier']) : null,
      taskType,
      baseModelNameOrPath,
      baseClass: architectureOf(model),
    },
    tensors,
  );
}

/** Adds the adapters of a PEFT folder to a model (per-module rank and alpha from rank_pattern /
 * alpha_pattern, as PEFT applies them) and its modules_to_save weights (classifier, pooler). */
export function importPeftAdapter(dir: string, model: TaskModel, root = dir): void {
  const { config, tensors } = readPeftAdapter(dir, root);
  const where = join(dir, 'adapter_model.safetensors');
  for (const [module, { A, B }] of tensors.lora) {
    if (!A || !B) throw new Error(`${where}: module ${module} has only one of lora_A / lora_B`);
    const base = model.params.get(`${module}.weight`);
    if (!base) throw new Error(`${where}: adapter targets "${module}", which the model does not have`);
    const { r, alpha } = loraSettingsFor(config, module);
    const [inDim, outDim] = base.shape;
    if (A.shape[1] !== inDim || B.shape[0] !== outDim) {
      throw new Error(`${where}: adapter for "${module}" has lora_A [${A.shape.join(', ')}] and lora_B [${B.shape.join(', ')}], the layer expects [${r}, ${inDim}] and [${outDim}, ${r}]`);
    }
    model.lora.get(module)?.A.dispose();
    model.lora.get(module)?.B.dispose();
    model.lora.set(module, {
      module,
      A: ownedVariable(tf.tensor2d(transpose2d(A.data, r, inDim), [inDim, r])),
      B: ownedVariable(tf.tensor2d(transpose2d(B.data, outDim, r), [r, outDim])),
      rank: r,
      alpha,
      dropout: config.loraDropout,
      merged: false,
    });
  }
  for (const [name, t] of tensors.saved) {
    const target = model.params.get(normaliseHfKey(name));
    if (!target) continue;
    if (isLinearWeight(normaliseHfKey(name))) {
      const [o, i] = t.shape;
      if (target.shape[0] !== i || target.shape[1] !== o) throw new Error(`${where}: "${name}" is [${t.shape.join(', ')}], the model expects [${target.shape[1]}, ${target.shape[0]}]`);
      assignValue(target, () => tf.tensor2d(transpose2d(t.data, o, i), [i, o]));
    } else {
      if (t.shape.join() !== target.shape.join()) throw new Error(`${where}: "${name}" is [${t.shape.join(', ')}], the model expects [${target.shape.join(', ')}]`);
      assignValue(target, () => tf.tensor(t.data, target.shape));
    }
  }
}

/** How loadModelFolder reads a folder. */
export interface LoadOptions {
  lineage?: string[];
  onWarning?: (message: string) => void;
  /** Links inside the folder may lead anywhere inside `root` (default: the folder itself). */
  root?: string;
  /** Read the folder as transformers would, ignoring tunegraph.json (what a Python user gets). */
  hfRules?: boolean;
}

/**
 * Reads a folder written by saveModelFolder, any Hugging Face BERT folder (single or sharded
 * safetensors), a sentence-transformers folder with a Dense head, or a PEFT adapter folder whose
 * base_model_name_or_path is a folder (a relative path is taken from the adapter folder).
 */
export async function loadModelFolder(dir: string, opts: LoadOptions = {}): Promise<ModelValue> {
  const root = opts.root ?? dir;
  const warn = opts.onWarning ?? (() => {});
  if (!modelFilePath(dir, 'config.json', root) && modelFilePath(dir, 'adapter_config.json', root)) return loadPeftFolder(dir, opts);
  const configPath = requireModelFile(dir, 'config.json', 'missing; is this a Hugging Face model folder?', root);
  const configJson = readJsonChecked(configPath, 1024 * 1024);
  const config = parseBertConfig(configJson, configPath);
  const hf = configJson as Record<string, unknown>;
  const meta = opts.hfRules ? null : (readFolderJsonObject(dir, 'tunegraph.json', root) as TunegraphMeta | null);
  const host = readCheckpointTensors(dir, root);
  const weightsPath = describeCheckpoint(dir, root);

  const hasMlm = meta?.hasMlmHead ?? [...host.keys()].some((k) => k.startsWith('cls.predictions.transform'));
  const model = TaskModel.create(config, { seed: 0, mlmHead: hasMlm });
  try {
    let head: ClassifierHead | null = meta?.head ?? null;
    const st = meta ? null : readSentenceTransformersHead(dir, root, config.hiddenSize);
    if (!meta) head = st ? { ...st.head, labels: labelsFromConfig(hf) ?? st.head.labels } : hfHead(hf, host, config.hiddenDropoutProb, configPath);
    if (head) model.setClassifier(head, 0);
    if (st) {
      for (const [k, t] of st.tensors) host.set(k, t);
    }
    const { missing, unexpected } = loadHfTensors(model, host, weightsPath);
    const required = missing.filter((n) => !n.startsWith('bert.pooler.') && !n.startsWith('cls.'));
    if (required.length > 0) throw new Error(`${weightsPath}: missing tensor${required.length > 1 ? 's' : ''} ${required.slice(0, 5).map((n) => `"${n}"`).join(', ')}${required.length > 5 ? ` and ${required.length - 5} more` : ''}`);
    if (missing.length > 0) warn(`${weightsPath}: freshly initialised (not in the file): ${missing.join(', ')}`);
    if (unexpected.length > 0) warn(`${weightsPath}: ignored tensors: ${unexpected.slice(0, 8).join(', ')}${unexpected.length > 8 ? ' …' : ''}`);

    if (meta) {
      if (meta.lora.length > 0) importPeftAdapter(join(dir, 'adapter'), model, root);
      for (const a of meta.lora) {
        const adapter = model.lora.get(a.module);
        if (adapter) adapter.dropout = a.dropout;
      }
      const frozen = new Set(meta.frozen);
      for (const [name, v] of model.allWeights()) v.trainable = !frozen.has(name);
      for (const [name, sc] of Object.entries(meta.lrScales)) model.lrScales.set(name, sc);
      model.gradualUnfreeze = meta.gradualUnfreeze ?? null;
      model.mergeLoraAfterTraining = meta.mergeLoraAfterTraining ?? false;
    }
    const tokenizer = readTokenizerFolder(dir, root);
    if (tokenizer.vocabSize !== config.vocabSize) {
      warn(`${dir}: tokenizer has ${tokenizer.vocabSize} tokens, config.json vocab_size is ${config.vocabSize}`);
      if (tokenizer.vocabSize > config.vocabSize) throw new Error(`${dir}: tokenizer has ${tokenizer.vocabSize} tokens but the embedding matrix only ${config.vocabSize} rows`);
    }
    return { model, tokenizer, lineage: meta?.lineage ?? opts.lineage ?? [dir] };
  } catch (err) {
    model.dispose();
    throw err;
  }
}

/** The head transformers builds from config.json's architecture, or null (bare encoder or masked LM). */
function hfHead(hf: Record<string, unknown>, host: Map<string, HostTensor>, hiddenDropout: number, configPath: string): ClassifierHead | null {
  const arch = (Array.isArray(hf.architectures) ? String(hf.architectures[0] ?? '') : '') || '';
  const task = arch === 'BertForSequenceClassification' ? 'sequence-classification' : arch === 'BertForTokenClassification' ? 'token-classification' : null;
  const w = host.get('classifier.weight');
  if (!task) return null;
  if (!w) throw new Error(`${configPath}: architecture ${arch} but the checkpoint has no classifier.weight`);
  const labels = labelsFromConfig(hf) ?? Array.from({ length: w.shape[0] }, (_, i) => `LABEL_${i}`);
  const dropout = typeof hf.classifier_dropout === 'number' ? hf.classifier_dropout : hiddenDropout;
  return { task, labels, pooling: 'pooler', dropout };
}

/** Tensors of model.safetensors or of the shards model.safetensors.index.json lists, as float32;
 * else of pytorch_model.bin (or its shards), read without running pickle. */
function readCheckpointTensors(dir: string, root: string): Map<string, HostTensor> {
  let file;
  try {
    file = readSafetensorsCheckpoint(dir, 'model', root);
  } catch (err) {
    if (!/neither model\.safetensors/.test((err as Error).message)) throw err;
    const torch = readTorchBinCheckpoint(dir, root);
    if (!torch) throw new Error(`${dir}: no model.safetensors, model.safetensors.index.json or pytorch_model.bin`);
    return torch;
  }
  const host = new Map<string, HostTensor>();
  for (const [k, t] of file.tensors) host.set(k, { shape: t.shape, data: t.data instanceof Float32Array ? t.data : Float32Array.from(t.data) });
  return host;
}

/** pytorch_model.bin, or the shards pytorch_model.bin.index.json lists; null when neither exists. */
function readTorchBinCheckpoint(dir: string, root: string): Map<string, HostTensor> | null {
  const single = modelFilePath(dir, 'pytorch_model.bin', root);
  const indexPath = single ? null : modelFilePath(dir, 'pytorch_model.bin.index.json', root);
  if (!single && !indexPath) return null;
  let files: string[];
  if (single) files = [single];
  else {
    const map = (readJsonChecked(indexPath!) as { weight_map?: Record<string, unknown> } | null)?.weight_map;
    if (!map || typeof map !== 'object') throw new Error(`${indexPath}: weight_map must be an object of tensor name → shard file`);
    files = [...new Set(Object.values(map))].map((shard) => {
      if (typeof shard !== 'string' || !/^[A-Za-z0-9._-]+$/.test(shard)) throw new Error(`${indexPath}: shard ${JSON.stringify(shard)} is not a plain file name`);
      const path = modelFilePath(dir, shard, root);
      if (!path) throw new Error(`${indexPath}: shard "${shard}" is missing`);
      return path;
    });
  }
  const host = new Map<string, HostTensor>();
  for (const path of files) {
    for (const [k, t] of readTorchCheckpoint(new Uint8Array(readFileSync(path)), path)) {
      if (host.has(k)) throw new Error(`${path}: tensor "${k}" is also in another shard`);
      host.set(k, { shape: t.shape, data: t.data instanceof Float32Array ? t.data : Float32Array.from(t.data) });
    }
  }
  return host;
}

/** The checkpoint's file name for messages: model.safetensors or the index. */
function describeCheckpoint(dir: string, root: string): string {
  return modelFilePath(dir, 'model.safetensors', root) ?? modelFilePath(dir, 'model.safetensors.index.json', root) ?? modelFilePath(dir, 'pytorch_model.bin', root) ?? join(dir, 'pytorch_model.bin.index.json');
}

/**
 * A PEFT adapter folder: the base folder named by base_model_name_or_path (relative to the adapter
 * folder; it must lie inside `root`) read by HF rules, with the adapter applied unmerged.
 */
async function loadPeftFolder(dir: string, opts: LoadOptions): Promise<ModelValue> {
  const root = opts.root ?? dir;
  const configPath = join(dir, 'adapter_config.json');
  const json = readFolderJsonObject(dir, 'adapter_config.json', root)!;
  const basePath = json.base_model_name_or_path;
  if (typeof basePath !== 'string' || basePath === '') throw new Error(`${configPath}: base_model_name_or_path is ${JSON.stringify(basePath ?? null)}; it must name the base model folder`);
  const baseDir = resolve(dir, basePath);
  if (!isInsideDir(baseDir, root)) throw new Error(`${configPath}: base_model_name_or_path "${basePath}" is outside ${root}`);
  const value = await loadModelFolder(baseDir, { ...opts, root, hfRules: true });
  try {
    importPeftAdapter(dir, value.model, root);
  } catch (err) {
    value.model.dispose();
    throw err;
  }
  return value;
}

function isInsideDir(p: string, base: string): boolean {
  const rel = relative(resolve(base), resolve(p));
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}
