// The export node's folders, written for Python users to load as is: `hf/` (transformers, LoRA
// merged in; sentence-transformers modules for a mean/[CLS] head), `peft/base` + `peft/adapter`
// (PEFT, LoRA unmerged) and `tfjs/`, with a README.md saying which class loads what.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelValue } from '../exec/port-values';
import type { TaskModel } from '../model/task-model';
import { writeFileAtomic } from './atomic-write';
import { bertConfigToHf } from './hf-config';
import { modelToHfTensors, type HostTensor } from './hf-state';
import { writeTokenizerFiles } from './hf-tokenizer-files';
import { architectureOf, exportPeftAdapter } from './model-folder';
import { writeSafetensorsFile } from './safetensors';
import { writeSentenceTransformersHead } from './sentence-transformers';
import { writeTfjsWeights } from './tfjs-format';

export type ExportFormat = 'hf-safetensors' | 'peft-adapter' | 'tfjs';

/** A user's mistake in what to export (shown on the export node). */
export class ExportRefused extends Error {}

/** The relative base path written into adapter_config.json: the base folder beside the adapter. */
export const PEFT_BASE_PATH = '../base';

/**
 * Writes `dir` as a folder transformers' from_pretrained loads as is: the architecture the head
 * needs, only the tensors that class has (no MLM head under a classifier, no pooler where the
 * class has none), torch_dtype of the stored weights, classifier_dropout, and tokenizer files
 * whose model_max_length is the model's positions. Unmerged LoRA adapters are NOT included:
 * pass a merged model for that. A mean/[CLS] sequence head becomes a BertModel plus
 * sentence-transformers modules.
 */
export function writeHfFolder(dir: string, value: ModelValue, opts: { dtype: 'F32' | 'F16' }): string {
  const { model, tokenizer } = value;
  mkdirSync(dir, { recursive: true });
  const arch = architectureOf(model);
  const sentenceHead = model.head?.task === 'sequence-classification' && model.head.pooling !== 'pooler' ? model.head : null;
  writeFileAtomic(
    join(dir, 'config.json'),
    JSON.stringify(
      bertConfigToHf(model.config, {
        architectures: [arch],
        labels: model.head?.labels,
        problemType: arch === 'BertForSequenceClassification' ? 'single_label_classification' : undefined,
        torchDtype: opts.dtype === 'F16' ? 'float16' : 'float32',
        classifierDropout: model.head ? model.head.dropout : null,
      }),
      null,
      2,
    ),
  );
  const all = modelToHfTensors(model, { includePooler: arch === 'BertForSequenceClassification' || arch === 'BertModel', includeMlm: arch === 'BertForMaskedLM' });
  const tensors: Record<string, HostTensor> = {};
  for (const [name, t] of Object.entries(all)) {
    if (name.startsWith('classifier.') && arch === 'BertModel') continue;
    // BertModel checkpoints carry no `bert.` prefix (transformers adds or strips it either way).
    tensors[arch === 'BertModel' ? name.replace(/^bert\./, '') : name] = t;
  }
  writeSafetensorsFile(join(dir, 'model.safetensors'), tensors, { dtype: opts.dtype });
  writeTokenizerFiles(dir, tokenizer, { maxPositions: model.config.maxPositionEmbeddings });
  if (sentenceHead) {
    writeSentenceTransformersHead(dir, sentenceHead, { weight: all['classifier.weight'], bias: all['classifier.bias'] }, { hiddenSize: model.config.hiddenSize, maxSeqLength: model.config.maxPositionEmbeddings, dtype: opts.dtype });
  }
  return arch;
}

/** The model with its unmerged adapters folded in (a copy the caller disposes), or null when there are none. */
function mergedCopy(model: TaskModel): TaskModel | null {
  if (![...model.lora.values()].some((a) => !a.merged)) return null;
  const copy = model.clone();
  copy.mergeLora();
  return copy;
}

/** Writes the export folders under `root`; returns one line per folder for the log. */
export function exportModel(root: string, value: ModelValue, opts: { formats: readonly ExportFormat[]; dtype: 'F32' | 'F16' }): string[] {
  const { model } = value;
  const hasLora = [...model.lora.values()].some((a) => !a.merged);
  const sentenceHead = model.head?.task === 'sequence-classification' && model.head.pooling !== 'pooler';
  if (opts.formats.includes('peft-adapter')) {
    if (!hasLora) throw new ExportRefused('peft-adapter export needs a model with unmerged LoRA adapters (add a LoRA node with merge off)');
    if (sentenceHead) {
      throw new ExportRefused(
        `peft-adapter: a ${model.head!.pooling}-pooling head has no PEFT task class (PEFT's SEQ_CLS loads BertForSequenceClassification, which classifies the pooler output); export hf-safetensors (LoRA merged, loads with sentence-transformers), or set the Task head's pooling to "pooler"`,
      );
    }
  }
  mkdirSync(root, { recursive: true });
  const lines: string[] = [];
  const readme: string[] = [];
  if (opts.formats.includes('hf-safetensors')) {
    const merged = mergedCopy(model);
    try {
      const arch = writeHfFolder(join(root, 'hf'), merged ? { ...value, model: merged } : value, opts);
      lines.push(`hf/: ${arch}${merged ? ', LoRA merged' : ''}${sentenceHead ? ` + sentence-transformers ${model.head!.pooling}-pooling head` : ''}`);
      readme.push(hfReadme(arch, Boolean(merged), sentenceHead ? model.head!.pooling : null));
    } finally {
      merged?.dispose();
    }
  }
  if (opts.formats.includes('peft-adapter')) {
    const arch = writeHfFolder(join(root, 'peft', 'base'), value, opts);
    exportPeftAdapter(join(root, 'peft', 'adapter'), model, PEFT_BASE_PATH);
    lines.push(`peft/adapter: LoRA on ${arch} in peft/base`);
    readme.push(peftReadme(arch));
  }
  if (opts.formats.includes('tfjs')) {
    writeTfjsWeights(
      join(root, 'tfjs'),
      model.allWeights().map(([name, v]) => ({ name, shape: [...v.shape], data: v.dataSync() as Float32Array })),
      { tunegraph: { config: model.config, head: model.head, note: 'Linear kernels are [in, out]; LoRA adapters are `<module>.lora_A` [in, r] and `.lora_B` [r, out]' } },
      { dtype: opts.dtype === 'F16' ? 'float16' : 'float32' },
    );
    lines.push('tfjs/: TensorFlow.js weights manifest');
    readme.push('## tfjs/\n\nTensorFlow.js weights (`model.json` manifest + 4 MB shards) with Tunegraph names; Linear kernels are [in, out]. Load with `tf.io.loadWeights`.');
  }
  // tokenizer_config.json keeps model_max_length = the positions (what HF expects of a checkpoint), so the
  // length the head was trained and scored at is said here: a longer input changes its scores.
  const trainedAt = model.head?.maxSeqLength;
  if (trainedAt && trainedAt < model.config.maxPositionEmbeddings) {
    readme.push(`## Input length\n\nThe task head was fine-tuned and scored at ${trainedAt} tokens (the model has ${model.config.maxPositionEmbeddings} positions, and \`model_max_length\` says so). To get the scores Tunegraph reported, truncate the same way: \`tokenizer(text, truncation=True, max_length=${trainedAt})\`.`);
  }
  writeFileAtomic(join(root, 'README.md'), `# Exported by Tunegraph\n\n${readme.join('\n\n')}\n`);
  return lines;
}

function hfReadme(arch: string, merged: boolean, pooling: string | null): string {
  if (pooling) {
    return [
      '## hf/',
      '',
      `A \`BertModel\` checkpoint plus sentence-transformers modules (Transformer → ${pooling} Pooling → Dense with identity activation).`,
      `transformers has no class for a ${pooling}-pooling classifier (\`BertForSequenceClassification\` always classifies tanh(pooler(h[CLS]))), so the head is the Dense module:`,
      '',
      '```python',
      'from sentence_transformers import SentenceTransformer',
      'model = SentenceTransformer("hf")',
      'logits = model.encode(["some text"])  # [n, num_labels]; labels in config.json id2label',
      '```',
      '',
      '`AutoModel.from_pretrained("hf")` gives the encoder alone.',
      merged ? 'LoRA adapters are merged into the weights.' : '',
    ].join('\n');
  }
  return ['## hf/', '', `\`${arch}\`${merged ? ' with the LoRA adapters merged into the weights' : ''}:`, '', '```python', 'from transformers import AutoModelForSequenceClassification, AutoModelForTokenClassification, AutoModelForMaskedLM, AutoModel, AutoTokenizer', 'tokenizer = AutoTokenizer.from_pretrained("hf")', `model = ${autoClass(arch)}.from_pretrained("hf")`, '```'].join('\n');
}

function peftReadme(arch: string): string {
  return [
    '## peft/',
    '',
    `\`peft/base\` is the base \`${arch}\` (LoRA not applied) and \`peft/adapter\` the PEFT LoRA adapter. adapter_config.json's \`base_model_name_or_path\` is \`${PEFT_BASE_PATH}\`: PEFT resolves it against the working directory, so either run from \`peft/adapter\`, or load the base yourself:`,
    '',
    '```python',
    'from peft import PeftModel',
    'from transformers import ' + autoClass(arch),
    `base = ${autoClass(arch)}.from_pretrained("peft/base")`,
    'model = PeftModel.from_pretrained(base, "peft/adapter")',
    '```',
    '',
    'Adapters from different LoRA nodes keep their own rank and alpha (`rank_pattern` / `alpha_pattern`).',
  ].join('\n');
}

function autoClass(arch: string): string {
  if (arch === 'BertForSequenceClassification') return 'AutoModelForSequenceClassification';
  if (arch === 'BertForTokenClassification') return 'AutoModelForTokenClassification';
  if (arch === 'BertForMaskedLM') return 'AutoModelForMaskedLM';
  return 'AutoModel';
}
