// config.json (Hugging Face BertConfig) ↔ our BertConfig, with errors naming the field and file.
import { readJsonChecked } from './folder-file';
import { BERT_CONFIG_DEFAULTS, type BertConfig } from '../model/bert-config';

const FIELDS: [keyof BertConfig, string][] = [
  ['vocabSize', 'vocab_size'],
  ['hiddenSize', 'hidden_size'],
  ['numHiddenLayers', 'num_hidden_layers'],
  ['numAttentionHeads', 'num_attention_heads'],
  ['intermediateSize', 'intermediate_size'],
  ['maxPositionEmbeddings', 'max_position_embeddings'],
  ['typeVocabSize', 'type_vocab_size'],
  ['layerNormEps', 'layer_norm_eps'],
  ['hiddenDropoutProb', 'hidden_dropout_prob'],
  ['attentionProbsDropoutProb', 'attention_probs_dropout_prob'],
  ['padTokenId', 'pad_token_id'],
  ['initializerRange', 'initializer_range'],
];

/** Upper bounds of every config.json dimension, with the unit used in the message. */
export const CONFIG_LIMITS = {
  num_hidden_layers: [96, 'layers'],
  hidden_size: [8192, 'hidden units'],
  num_attention_heads: [128, 'attention heads'],
  intermediate_size: [32768, 'intermediate units'],
  vocab_size: [1_000_000, 'tokens'],
  max_position_embeddings: [65536, 'positions'],
  type_vocab_size: [1024, 'token types'],
} as const satisfies Record<string, readonly [number, string]>;

/** Largest model (parameters) a config may describe: 4 GB of float32 weights. */
export const MAX_PARAMETERS = 1e9;

/** Parameters of a BERT encoder with pooler (and the masked-LM head's transform), from its config alone. */
export function bertParamCount(c: BertConfig): number {
  const H = c.hiddenSize;
  const I = c.intermediateSize;
  const embeddings = (c.vocabSize + c.maxPositionEmbeddings + c.typeVocabSize) * H + 2 * H;
  const layer = 4 * (H * H + H) + 2 * H + (H * I + I) + (I * H + H) + 2 * H;
  return embeddings + c.numHiddenLayers * layer + (H * H + H) + (H * H + 3 * H + c.vocabSize);
}

/** Our config from a parsed config.json; unknown keys are kept by the caller for round trips. */
export function parseBertConfig(json: unknown, source = 'config.json'): BertConfig {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new Error(`${source}: expected a JSON object, got ${Array.isArray(json) ? 'a list' : json === null ? 'null' : typeof json}`);
  const j = json as Record<string, unknown>;
  if (j.model_type !== undefined && j.model_type !== 'bert') throw new Error(`${source}: model_type is "${j.model_type}"; Tunegraph loads BERT-family models ("bert")`);
  const config: BertConfig = { ...BERT_CONFIG_DEFAULTS };
  for (const [ours, theirs] of FIELDS) {
    const v = j[theirs];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`${source}: ${theirs} must be a number, got ${JSON.stringify(v)}`);
    (config as unknown as Record<string, number>)[ours] = v;
  }
  for (const key of ['vocab_size', 'hidden_size', 'num_hidden_layers', 'num_attention_heads', 'intermediate_size', 'max_position_embeddings', 'type_vocab_size'] as const) {
    const v = (j[key] ?? BERT_CONFIG_DEFAULTS[FIELDS.find((f) => f[1] === key)![0]]) as number;
    if (!Number.isInteger(v) || v < 1) throw new Error(`${source}: ${key} must be a positive integer, got ${v}`);
    const [max, unit] = CONFIG_LIMITS[key];
    if (v > max) throw new Error(`${source}: ${key} is ${v}; Tunegraph loads at most ${max.toLocaleString('en-US')} ${unit}`);
  }
  // Checked before anything is allocated: the sizes alone can be in bounds while the product is not.
  const params = bertParamCount(config);
  if (params > MAX_PARAMETERS) throw new Error(`${source}: describes a model of ${(params / 1e9).toFixed(2)} billion parameters; Tunegraph loads at most ${MAX_PARAMETERS / 1e9} billion`);
  if (!(config.layerNormEps > 0)) throw new Error(`${source}: layer_norm_eps must be > 0, got ${config.layerNormEps}`);
  for (const key of ['hidden_dropout_prob', 'attention_probs_dropout_prob'] as const) {
    const v = j[key];
    if (typeof v === 'number' && !(v >= 0 && v < 1)) throw new Error(`${source}: ${key} must be in [0, 1), got ${v}`);
  }
  if (!Number.isInteger(config.padTokenId) || config.padTokenId < 0) throw new Error(`${source}: pad_token_id must be a non-negative integer, got ${config.padTokenId}`);
  if (config.hiddenSize % config.numAttentionHeads !== 0) throw new Error(`${source}: hidden_size ${config.hiddenSize} is not divisible by num_attention_heads ${config.numAttentionHeads}`);
  const act = j.hidden_act ?? 'gelu';
  if (act !== 'gelu' && act !== 'gelu_new') throw new Error(`${source}: hidden_act ${JSON.stringify(act)} is not supported (gelu or gelu_new)`);
  config.hiddenAct = act;
  const pos = j.position_embedding_type ?? 'absolute';
  if (pos !== 'absolute') throw new Error(`${source}: position_embedding_type ${JSON.stringify(pos)} is not supported (absolute only)`);
  return config;
}

/** id2label of a config.json as a label list, or null. */
export function labelsFromConfig(json: Record<string, unknown>): string[] | null {
  const map = json.id2label as Record<string, string> | undefined;
  if (!map || typeof map !== 'object') return null;
  const n = Object.keys(map).length;
  return Array.from({ length: n }, (_, i) => map[String(i)] ?? `LABEL_${i}`);
}

/** What config.json holds beyond the architecture. */
export interface HfConfigExtras {
  /** e.g. ["BertForSequenceClassification"]. */
  architectures?: string[];
  /** Class names in id order; written as id2label (string keys) and label2id. */
  labels?: string[];
  /** Same as `labels`, keyed by id (ignored when `labels` is given). */
  id2label?: Record<number, string>;
  problemType?: string;
  /** torch_dtype of the weights file (default float32). */
  torchDtype?: 'float32' | 'float16' | 'bfloat16';
  /** classifier_dropout (the head's dropout; null = hidden_dropout_prob). */
  classifierDropout?: number | null;
  /** Keys read from an earlier config.json that we do not model: preserved (spec 2.1). */
  extra?: Record<string, unknown>;
}

/** A config.json transformers will load. */
export function bertConfigToHf(config: BertConfig, extras: HfConfigExtras = {}): Record<string, unknown> {
  const kept = extras.extra ?? {};
  const out: Record<string, unknown> = { ...(extras.extra ?? {}) };
  if (extras.architectures) out.architectures = extras.architectures;
  out.model_type = 'bert';
  for (const [ours, theirs] of FIELDS) out[theirs] = config[ours];
  out.hidden_act = config.hiddenAct;
  out.position_embedding_type = 'absolute';
  // Fields we do not model keep their earlier value (classifier_dropout changes HF's head dropout).
  out.classifier_dropout = extras.classifierDropout !== undefined ? extras.classifierDropout : (kept.classifier_dropout ?? null);
  out.use_cache = kept.use_cache ?? true;
  const labels = extras.labels ?? (extras.id2label ? Object.keys(extras.id2label).map(Number).sort((a, b) => a - b).map((i) => extras.id2label![i]) : undefined);
  if (labels) {
    out.id2label = Object.fromEntries(labels.map((l, i) => [String(i), l]));
    out.label2id = Object.fromEntries(labels.map((l, i) => [l, i]));
  }
  if (extras.problemType) out.problem_type = extras.problemType;
  out.torch_dtype = extras.torchDtype ?? 'float32';
  out.transformers_version = '4.46.0';
  return out;
}

/** Parses a JSON file; errors name the file (missing, or not JSON). */
export function readJsonFile(path: string): unknown {
  return readJsonChecked(path);
}
