// A sequence head with mean or [CLS] pooling as sentence-transformers modules (Transformer →
// Pooling → Dense with identity activation): the one stock Python loader that reproduces such a
// head exactly, since BertForSequenceClassification always classifies tanh(pooler(h[CLS])).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ClassifierHead } from '../model/task-model';
import { writeFileAtomic } from './atomic-write';
import { modelFilePath, readFolderJsonObject, readJsonChecked } from './folder-file';
import type { HostTensor } from './hf-state';
import { readSafetensorsFile, writeSafetensorsFile } from './safetensors';

const IDENTITY = 'torch.nn.modules.linear.Identity';
const POOLING_KEYS = ['pooling_mode_cls_token', 'pooling_mode_mean_tokens', 'pooling_mode_max_tokens', 'pooling_mode_mean_sqrt_len_tokens', 'pooling_mode_weightedmean_tokens', 'pooling_mode_lasttoken'] as const;

/**
 * Writes modules.json, sentence_bert_config.json, 1_Pooling/ and 2_Dense/ beside a BertModel
 * checkpoint in `dir`. `SentenceTransformer(dir).encode(texts)` then returns the head's logits.
 */
export function writeSentenceTransformersHead(dir: string, head: ClassifierHead, classifier: { weight: HostTensor; bias: HostTensor }, opts: { hiddenSize: number; maxSeqLength: number; dtype: 'F32' | 'F16' }): void {
  if (head.pooling === 'pooler') throw new Error('writeSentenceTransformersHead: a pooler head exports as BertForSequenceClassification');
  const modules = [
    { idx: 0, name: '0', path: '', type: 'sentence_transformers.models.Transformer' },
    { idx: 1, name: '1', path: '1_Pooling', type: 'sentence_transformers.models.Pooling' },
    { idx: 2, name: '2', path: '2_Dense', type: 'sentence_transformers.models.Dense' },
  ];
  writeFileAtomic(join(dir, 'modules.json'), JSON.stringify(modules, null, 2));
  writeFileAtomic(join(dir, 'sentence_bert_config.json'), JSON.stringify({ max_seq_length: opts.maxSeqLength, do_lower_case: false }, null, 2));
  mkdirSync(join(dir, '1_Pooling'), { recursive: true });
  const pooling: Record<string, unknown> = { word_embedding_dimension: opts.hiddenSize };
  for (const key of POOLING_KEYS) pooling[key] = (key === 'pooling_mode_cls_token' && head.pooling === 'cls') || (key === 'pooling_mode_mean_tokens' && head.pooling === 'mean');
  pooling.include_prompt = true;
  writeFileAtomic(join(dir, '1_Pooling', 'config.json'), JSON.stringify(pooling, null, 2));
  mkdirSync(join(dir, '2_Dense'), { recursive: true });
  const [C, H] = classifier.weight.shape;
  writeFileAtomic(join(dir, '2_Dense', 'config.json'), JSON.stringify({ in_features: H, out_features: C, bias: true, activation_function: IDENTITY }, null, 2));
  writeSafetensorsFile(join(dir, '2_Dense', 'model.safetensors'), { 'linear.weight': classifier.weight, 'linear.bias': classifier.bias }, { dtype: opts.dtype });
}

/**
 * The head of a sentence-transformers folder (Transformer → Pooling → Dense), as our head plus its
 * classifier tensors in HF layout; null when the folder has no modules.json. Anything Tunegraph
 * cannot compute exactly (other poolings, a Dense activation, more modules) is refused by name.
 */
export function readSentenceTransformersHead(dir: string, root: string, hiddenSize: number): { head: ClassifierHead; tensors: Map<string, HostTensor> } | null {
  const modulesPath = modelFilePath(dir, 'modules.json', root);
  if (!modulesPath) return null;
  const modules = readJsonChecked(modulesPath, 1024 * 1024);
  if (!Array.isArray(modules)) throw new Error(`${modulesPath}: expected a list of modules`);
  const types = modules.map((m) => String((m as { type?: unknown }).type ?? ''));
  const paths = modules.map((m) => String((m as { path?: unknown }).path ?? ''));
  const want = ['sentence_transformers.models.Transformer', 'sentence_transformers.models.Pooling', 'sentence_transformers.models.Dense'];
  // A plain embedding model (Transformer → Pooling [→ Normalize]) has no classifier: read the encoder only.
  if (!types.includes('sentence_transformers.models.Dense')) return null;
  if (types.length !== 3 || types.some((t, i) => t !== want[i])) throw new Error(`${modulesPath}: modules ${types.join(' → ')}; Tunegraph reads Transformer → Pooling → Dense`);
  const pooling = readFolderJsonObject(join(dir, paths[1]), 'config.json', root);
  if (!pooling) throw new Error(`${join(dir, paths[1], 'config.json')}: missing`);
  const on = POOLING_KEYS.filter((k) => pooling[k] === true);
  const mode = on.length === 1 && on[0] === 'pooling_mode_mean_tokens' ? 'mean' : on.length === 1 && on[0] === 'pooling_mode_cls_token' ? 'cls' : null;
  if (!mode) throw new Error(`${join(dir, paths[1], 'config.json')}: pooling ${on.join(' + ') || 'none'}; Tunegraph heads pool by mean or [CLS]`);
  const dense = readFolderJsonObject(join(dir, paths[2]), 'config.json', root);
  const denseConfig = join(dir, paths[2], 'config.json');
  if (!dense) throw new Error(`${denseConfig}: missing`);
  if (dense.activation_function !== IDENTITY) throw new Error(`${denseConfig}: activation_function ${JSON.stringify(dense.activation_function)}; a Tunegraph head is linear (${IDENTITY})`);
  if (dense.in_features !== hiddenSize) throw new Error(`${denseConfig}: in_features ${JSON.stringify(dense.in_features)}, the encoder's hidden_size is ${hiddenSize}`);
  if (dense.bias === false) throw new Error(`${denseConfig}: bias false; a Tunegraph head has a bias`);
  const weightsPath = modelFilePath(join(dir, paths[2]), 'model.safetensors', root);
  if (!weightsPath) throw new Error(`${join(dir, paths[2])}: no model.safetensors`);
  const file = readSafetensorsFile(weightsPath);
  const w = file.tensors.get('linear.weight');
  const b = file.tensors.get('linear.bias');
  if (!w || !b) throw new Error(`${weightsPath}: needs linear.weight and linear.bias`);
  const C = w.shape[0];
  if (w.shape.length !== 2 || w.shape[1] !== hiddenSize || b.shape.join() !== String(C)) throw new Error(`${weightsPath}: linear.weight [${w.shape.join(', ')}] and linear.bias [${b.shape.join(', ')}] do not fit hidden size ${hiddenSize}`);
  const f32 = (d: Float32Array | Int32Array | Uint8Array) => (d instanceof Float32Array ? d : Float32Array.from(d));
  const tensors = new Map<string, HostTensor>([
    ['classifier.weight', { shape: w.shape, data: f32(w.data) }],
    ['classifier.bias', { shape: b.shape, data: f32(b.data) }],
  ]);
  return { head: { task: 'sequence-classification', labels: Array.from({ length: C }, (_, i) => `LABEL_${i}`), pooling: mode, dropout: 0 }, tensors };
}

