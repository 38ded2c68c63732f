// "Try it": one typed text through a trained model — the predicted label with every class's
// probability (sequence heads) or a tag per word (token heads).
import { tf } from '../tf';
import type { ModelValue } from './port-values';

/** One class and how likely the model finds it. */
export interface ClassProbability {
  label: string;
  probability: number;
}

/** What a model says about one text. */
export type TryResult =
  | { task: 'sequence'; label: string; probabilities: ClassProbability[]; tokens: number; truncated: boolean }
  | { task: 'token'; words: { word: string; tag: string; probability: number }[]; truncated: boolean };

/** Longest input fed to the model: the length its head was trained at, else its positions, at most 256 tokens. */
function maxLengthOf(value: ModelValue): number {
  return Math.min(value.model.head?.maxSeqLength ?? 256, value.model.config.maxPositionEmbeddings);
}

/** Runs the model on `text`; throws a plain-words error when the model has no task head. */
export function predictText(value: ModelValue, text: string): TryResult {
  const head = value.model.head;
  if (!head) throw new Error('this model has no task head yet: add a Head node (and fine-tune it) before trying it');
  const maxLength = maxLengthOf(value);
  if (head.task === 'sequence-classification') {
    const enc = value.tokenizer.encodeBatch([text], { maxLength, padding: 'longest' });
    const full = value.tokenizer.tokenize(text).length + 2;
    const probs = tf.tidy(() => {
      const inputIds = tf.tensor2d(enc.inputIds, [1, enc.seqLength], 'int32');
      const attentionMask = tf.tensor2d(enc.attentionMask, [1, enc.seqLength], 'int32');
      const logits = value.model.forwardSequence({ inputIds, attentionMask }, { training: false }); // [1, C]
      return tf.softmax(logits, -1).dataSync();
    });
    const probabilities = head.labels.map((label, i) => ({ label, probability: probs[i] })).sort((a, b) => b.probability - a.probability);
    return { task: 'sequence', label: probabilities[0].label, probabilities, tokens: Math.min(full, maxLength), truncated: full > maxLength };
  }
  const words = text.split(/\s+/).filter(Boolean);
  const row = value.tokenizer.encodeWords(words, { maxLength });
  const T = row.ids.length;
  const probs = tf.tidy(() => {
    const inputIds = tf.tensor2d(Int32Array.from(row.ids), [1, T], 'int32');
    const attentionMask = tf.tensor2d(Int32Array.from(row.attentionMask), [1, T], 'int32');
    const logits = value.model.forwardTokens({ inputIds, attentionMask }, { training: false }); // [1, T, C]
    return tf.softmax(logits, -1).dataSync(); // row-major [T, C]
  });
  const C = head.labels.length;
  const out: { word: string; tag: string; probability: number }[] = [];
  const seen = new Set<number>();
  row.wordIds.forEach((w, t) => {
    // A word's tag is read on its first sub-token, as it was trained.
    if (w === null || seen.has(w)) return;
    seen.add(w);
    let best = 0;
    for (let c = 1; c < C; c++) if (probs[t * C + c] > probs[t * C + best]) best = c;
    out.push({ word: words[w], tag: head.labels[best], probability: probs[t * C + best] });
  });
  return { task: 'token', words: out, truncated: out.length < words.length };
}
