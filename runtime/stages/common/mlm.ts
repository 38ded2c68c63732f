// Masked-LM pieces shared by DAPT and evaluation: batches of corpus rows, the loss, perplexity.
import { maskedLmLoss } from '../../model/losses';
import { maskTokens } from '../../model/masking';
import { createRng, type Rng } from '../../model/rng';
import type { TaskModel } from '../../model/task-model';
import { tf } from '../../tf';
import type { WordPieceTokenizer } from '../../text/wordpiece-tokenizer';

export interface MlmSettings {
  probability: number;
}

/** Pads id rows into a batch, masks it, and returns the MLM loss over masked positions only. */
export function mlmLoss(model: TaskModel, tok: WordPieceTokenizer, rows: number[][], rng: Rng, settings: MlmSettings, training: boolean): tf.Scalar {
  const T = rows.reduce((m, r) => Math.max(m, r.length), 1);
  const padded = tok.pad(rows, T);
  const masked = maskTokens(padded.inputIds, { maskTokenId: tok.maskId, vocabSize: tok.vocabSize, specialIds: tok.specialIds, attentionMask: padded.attentionMask, probability: settings.probability, rng });
  const B = rows.length;
  const logits = model.forwardMlm(
    { inputIds: tf.tensor2d(masked.inputIds, [B, T], 'int32'), attentionMask: tf.tensor2d(padded.attentionMask, [B, T], 'int32') },
    { training, rng },
    tf.tensor1d(masked.positions, 'int32'),
  ); // [N, V]
  return maskedLmLoss(logits, tf.tensor1d(masked.positionLabels, 'int32'));
}

/** Masked-LM perplexity and accuracy on held-out rows, with a fixed masking seed so numbers compare. */
export function mlmEvaluate(model: TaskModel, tok: WordPieceTokenizer, rows: number[][], settings: MlmSettings, batchSize = 32, onProgress?: (batches: number, total: number) => void): { perplexity: number; mlmAccuracy: number; maskedTokens: number } {
  const batches = Math.ceil(rows.length / batchSize);
  onProgress?.(0, batches);
  const rng = createRng(12345);
  let lossSum = 0;
  let correct = 0;
  let count = 0;
  for (let i = 0; i < rows.length; i += batchSize) {
    const chunk = rows.slice(i, i + batchSize);
    const T = chunk.reduce((m, r) => Math.max(m, r.length), 1);
    const padded = tok.pad(chunk, T);
    const masked = maskTokens(padded.inputIds, { maskTokenId: tok.maskId, vocabSize: tok.vocabSize, specialIds: tok.specialIds, attentionMask: padded.attentionMask, probability: settings.probability, rng });
    const [sum, hits] = tf.tidy(() => {
      const logits = model.forwardMlm(
        { inputIds: tf.tensor2d(masked.inputIds, [chunk.length, T], 'int32'), attentionMask: tf.tensor2d(padded.attentionMask, [chunk.length, T], 'int32') },
        { training: false },
        tf.tensor1d(masked.positions, 'int32'),
      );
      const labels = tf.tensor1d(masked.positionLabels, 'int32');
      const logp = tf.logSoftmax(logits);
      const picked = tf.sum(tf.mul(logp, tf.oneHot(labels, logits.shape[1])));
      const acc = tf.sum(tf.cast(tf.equal(tf.argMax(logits, -1), labels), 'float32'));
      return [picked.dataSync()[0], acc.dataSync()[0]];
    });
    lossSum += -sum;
    correct += hits;
    count += masked.positions.length;
    onProgress?.(i / batchSize + 1, batches);
  }
  return { perplexity: Math.exp(lossSum / Math.max(1, count)), mlmAccuracy: correct / Math.max(1, count), maskedTokens: count };
}
