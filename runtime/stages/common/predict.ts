// Batched inference for evaluation and distillation targets.
import type { Dataset, TextExample, TokenExample } from '../../data/types';
import { IGNORE_INDEX } from '../../model/losses';
import type { TaskModel } from '../../model/task-model';
import { tf } from '../../tf';
import type { WordPieceTokenizer } from '../../text/wordpiece-tokenizer';
import { labelIndex, sequenceBatch, tokenBatch, toTensors } from './encode';

/** Gold and predicted label indices over the given examples (for token tasks: first sub-tokens only). */
export function predictLabels(model: TaskModel, tok: WordPieceTokenizer, data: Dataset, indices: number[], opts: { batchSize: number; maxLength: number }): { gold: Int32Array; pred: Int32Array } {
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
      const argmax = tf.tidy(() => tf.argMax(model.forwardSequence(batch, { training: false }), -1).dataSync());
      tf.dispose([batch.inputIds, batch.attentionMask, lt]);
      gold.push(...hb.labels);
      pred.push(...argmax);
    } else {
      const hb = tokenBatch(tok, idx.map((i) => data.examples[i] as TokenExample), labels, opts.maxLength);
      const { batch, labels: lt } = toTensors(hb);
      const argmax = tf.tidy(() => tf.argMax(model.forwardTokens(batch, { training: false }), -1).dataSync());
      tf.dispose([batch.inputIds, batch.attentionMask, lt]);
      hb.labels.forEach((l, i) => {
        if (l !== IGNORE_INDEX) {
          gold.push(l);
          pred.push(argmax[i]);
        }
      });
    }
  }
  return { gold: Int32Array.from(gold), pred: Int32Array.from(pred) };
}
