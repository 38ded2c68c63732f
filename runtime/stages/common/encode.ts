// Turning datasets and corpora into padded id batches for the model.
import type { Dataset, TextExample, TokenExample } from '../../data/types';
import { IGNORE_INDEX } from '../../model/losses';
import type { Batch } from '../../model/task-model';
import { tf } from '../../tf';
import { alignWordLabels, type WordPieceTokenizer } from '../../text/wordpiece-tokenizer';
import { StageError } from '../stage-error';

/** One batch on the host: ids and labels, row-major [B, T] (labels [B] for sequence tasks). */
export interface HostBatch {
  inputIds: Int32Array;
  attentionMask: Int32Array;
  labels: Int32Array;
  batchSize: number;
  seqLength: number;
  /** Real (non-pad) tokens, for tokens/s. */
  tokens: number;
}

/** Example indices of a split; refuses a missing or empty split with a clear message. */
export function splitIndices(d: Dataset, split: 'train' | 'validation' | 'test'): number[] {
  if (!d.splits) {
    if (split === 'train') return d.examples.map((_, i) => i);
    throw new StageError(`the dataset has no ${split} split; put a Split node before this one`);
  }
  const idx = d.splits[split];
  if (idx.length === 0 && split !== 'validation') throw new StageError(`the ${split} split is empty; change the split ratios`);
  return idx;
}

/** Label index of each label name in the model's label list. */
export function labelIndex(modelLabels: string[], datasetLabels: string[]): Map<string, number> {
  const missing = datasetLabels.filter((l) => !modelLabels.includes(l));
  if (missing.length > 0) throw new StageError(`the dataset has labels the model's head does not know: ${missing.slice(0, 5).join(', ')}; connect this dataset to the head node`);
  return new Map(modelLabels.map((l, i) => [l, i]));
}

/** Batches of a sequence-classification split. */
export function sequenceBatch(tok: WordPieceTokenizer, examples: TextExample[], labels: Map<string, number>, maxLength: number): HostBatch {
  const enc = tok.encodeBatch(examples.map((e) => e.text), { maxLength, padding: 'longest' });
  return {
    inputIds: enc.inputIds,
    attentionMask: enc.attentionMask,
    labels: Int32Array.from(examples.map((e) => labels.get(e.label)!)),
    batchSize: enc.batchSize,
    seqLength: enc.seqLength,
    tokens: enc.attentionMask.reduce((a, b) => a + b, 0),
  };
}

/** Batches of a token-classification split (label on each word's first sub-token, -100 elsewhere). */
export function tokenBatch(tok: WordPieceTokenizer, examples: TokenExample[], labels: Map<string, number>, maxLength: number): HostBatch {
  const rows = examples.map((e) => tok.encodeWords(e.tokens, { maxLength }));
  const seqLength = rows.reduce((m, r) => Math.max(m, r.ids.length), 1);
  const padded = tok.pad(rows.map((r) => r.ids), seqLength);
  const lab = new Int32Array(rows.length * seqLength).fill(IGNORE_INDEX);
  rows.forEach((r, b) => {
    const aligned = alignWordLabels(r.wordIds, examples[b].tags.map((t) => labels.get(t)!));
    aligned.forEach((l, t) => (lab[b * seqLength + t] = l));
  });
  return { inputIds: padded.inputIds, attentionMask: padded.attentionMask, labels: lab, batchSize: rows.length, seqLength, tokens: padded.attentionMask.reduce((a, b) => a + b, 0) };
}

/** A batch of the given examples of a dataset, sequence or token task alike. */
export function datasetBatch(tok: WordPieceTokenizer, data: Dataset, indices: number[], labels: Map<string, number>, maxLength: number): HostBatch {
  return data.task === 'sequence'
    ? sequenceBatch(tok, indices.map((i) => data.examples[i]), labels, maxLength)
    : tokenBatch(tok, indices.map((i) => data.examples[i]), labels, maxLength);
}

/** Host batch → tensors (caller disposes). */
export function toTensors(b: HostBatch): { batch: Batch; labels: tf.Tensor } {
  return {
    batch: {
      inputIds: tf.tensor2d(b.inputIds, [b.batchSize, b.seqLength], 'int32'),
      attentionMask: tf.tensor2d(b.attentionMask, [b.batchSize, b.seqLength], 'int32'),
    },
    labels: b.labels.length === b.batchSize ? tf.tensor1d(b.labels, 'int32') : tf.tensor2d(b.labels, [b.batchSize, b.seqLength], 'int32'),
  };
}

/**
 * A corpus as fixed-length id rows: documents tokenized, concatenated, cut into [CLS] … [SEP] chunks.
 * `onProgress` hears documents tokenized of the total (the total once `maxRows` stops it early).
 */
export function corpusRows(tok: WordPieceTokenizer, documents: string[], maxLength: number, maxRows = Infinity, onProgress?: (done: number, total: number) => void): number[][] {
  const body = maxLength - 2;
  const cls = tok.clsId;
  const sep = tok.sepId;
  const rows: number[][] = [];
  let current: number[] = [cls];
  onProgress?.(0, documents.length);
  for (let d = 0; d < documents.length; d++) {
    for (const id of tok.tokenizeToIds(documents[d])) {
      current.push(id);
      if (current.length === body + 1) {
        current.push(sep);
        rows.push(current);
        current = [cls];
        if (rows.length >= maxRows) {
          onProgress?.(documents.length, documents.length);
          return rows;
        }
      }
    }
    onProgress?.(d + 1, documents.length);
  }
  if (current.length - 1 >= 8) {
    current.push(sep);
    rows.push(current);
  }
  return rows;
}
