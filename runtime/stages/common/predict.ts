// Batched inference for evaluation and distillation targets.
import type { Dataset, TextExample, TokenExample } from '../../data/types';
import { IGNORE_INDEX } from '../../model/losses';
import type { TaskModel } from '../../model/task-model';
import { tf } from '../../tf';
import type { WordPieceTokenizer } from '../../text/wordpiece-tokenizer';
import { labelIndex, sequenceBatch, tokenBatch, toTensors } from './encode';

/** Summed cross-entropy of the gold labels under `logits` [N, C], over rows whose label is not ignored. */
function goldLossSum(logits: tf.Tensor2D, labels: Int32Array): number {
  return tf.tidy(() => {
    const keep = Array.from(labels, (l) => (l === IGNORE_INDEX ? 0 : 1));
    const safe = Int32Array.from(labels, (l) => (l === IGNORE_INDEX ? 0 : l));
    const logp = tf.logSoftmax(logits);
    const picked = tf.sum(tf.mul(logp, tf.oneHot(tf.tensor1d(safe, 'int32'), logits.shape[1])), -1); // [N]
    return -tf.sum(tf.mul(picked, tf.tensor1d(keep, 'float32'))).dataSync()[0];
  });
}

/**
 * Gold and predicted label indices over the given examples (for token tasks: first sub-tokens only),
 * and with `withLoss` the mean cross-entropy of the gold labels (validation loss).
 */
export function predictLabels(model: TaskModel, tok: WordPieceTokenizer, data: Dataset, indices: number[], opts: { batchSize: number; maxLength: number; withLoss?: boolean; onProgress?: (batches: number, total: number) => void }): { gold: Int32Array; pred: Int32Array; loss?: number } {
  const batches = Math.ceil(indices.length / opts.batchSize);
  opts.onProgress?.(0, batches);
  let lossSum = 0;
  const head = model.head;
  if (!head) throw new Error('model has no task head');
  const labels = labelIndex(head.labels, data.labels);
  const gold: number[] = [];
  const pred: number[] = [];
  for (let start = 0; start < indices.length; start += opts.batchSize) {
    const idx = indices.slice(start, start + opts.batchSize);
    if (data.task === 'sequence') {
      const hb = sequenceBatch(tok, idx.map((i) => data.examples[i] as TextExample), labels, opts.maxLength);
      const { batch, labels: lt } = toTensors(hb);
      const argmax = tf.tidy(() => {
        const logits = model.forwardSequence(batch, { training: false }); // [B, C]
        if (opts.withLoss) lossSum += goldLossSum(logits, hb.labels);
        return tf.argMax(logits, -1).dataSync();
      });
      tf.dispose([batch.inputIds, batch.attentionMask, lt]);
      gold.push(...hb.labels);
      pred.push(...argmax);
    } else {
      const hb = tokenBatch(tok, idx.map((i) => data.examples[i] as TokenExample), labels, opts.maxLength);
      const { batch, labels: lt } = toTensors(hb);
      const argmax = tf.tidy(() => {
        const logits = model.forwardTokens(batch, { training: false }); // [B, T, C]
        if (opts.withLoss) lossSum += goldLossSum(tf.reshape(logits, [-1, logits.shape[2]]) as tf.Tensor2D, hb.labels);
        return tf.argMax(logits, -1).dataSync();
      });
      tf.dispose([batch.inputIds, batch.attentionMask, lt]);
      hb.labels.forEach((l, i) => {
        if (l !== IGNORE_INDEX) {
          gold.push(l);
          pred.push(argmax[i]);
        }
      });
    }
    opts.onProgress?.(start / opts.batchSize + 1, batches);
  }
  return { gold: Int32Array.from(gold), pred: Int32Array.from(pred), ...(opts.withLoss ? { loss: lossSum / Math.max(1, gold.length) } : {}) };
}
