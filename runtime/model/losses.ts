// Training losses: cross-entropy with ignore index (torch semantics), masked-LM, and distillation (KL·T²).
import * as tf from '@tensorflow/tfjs-core';
import { customOp } from './ops/custom-grad';
import { nativeActive } from './ops/native-kernels';
import { crossEntropyNative } from './ops/native-ops';

/** Identity whose gradient is zero (tfjs-core has no stopGradient): keeps the teacher out of training. */
const stopGradient = customOp(([x], save) => {
  save([]);
  return { value: tf.clone(x!), gradFunc: (dy) => [tf.zerosLike(dy)] };
});

/** Labels equal to this contribute nothing (torch's CrossEntropyLoss default, HF's MLM labels). */
export const IGNORE_INDEX = -100;

/**
 * Mean cross-entropy of logits [N, C] against int32 labels [N], skipping labels equal to
 * `ignoreIndex`, computed with logSoftmax for stability. Like torch's reduction='mean' it divides by the
 * number of kept labels; unlike torch (which gives NaN) it returns 0 when every label is ignored.
 */
export function crossEntropy(logits: tf.Tensor, labels: tf.Tensor, ignoreIndex = IGNORE_INDEX): tf.Scalar {
  if (logits.rank !== 2) throw new Error(`crossEntropy: logits must be [N, C], got [${logits.shape}]`);
  if (labels.rank !== 1 || labels.shape[0] !== logits.shape[0]) {
    throw new Error(`crossEntropy: labels must be [${logits.shape[0]}], got [${labels.shape}]`);
  }
  if (labels.dtype !== 'int32') throw new Error(`crossEntropy: labels must be int32, got ${labels.dtype}`);
  const classes = logits.shape[1] as number;
  if (nativeActive() && logits.dtype === 'float32') return crossEntropyNative(logits, labels, ignoreIndex);
  return tf.tidy(() => {
    const keep = tf.notEqual(labels, ignoreIndex); // [N] bool
    const safe = tf.where(keep, labels, tf.zerosLike(labels)); // ignored rows point at class 0, then get weight 0
    const logp = tf.logSoftmax(logits); // [N, C]
    const picked = tf.sum(tf.mul(logp, tf.oneHot(safe, classes)), 1); // [N]
    const weights = tf.cast(keep, 'float32');
    const count = tf.maximum(tf.sum(weights), 1);
    return tf.div(tf.neg(tf.sum(tf.mul(picked, weights))), count) as tf.Scalar;
  });
}

/** Token-level cross-entropy: logits [B, T, C], labels [B, T] (−100 for padding/special positions). */
export function tokenCrossEntropy(logits: tf.Tensor, labels: tf.Tensor, ignoreIndex = IGNORE_INDEX): tf.Scalar {
  if (logits.rank !== 3) throw new Error(`tokenCrossEntropy: logits must be [B, T, C], got [${logits.shape}]`);
  const classes = logits.shape[2] as number;
  return tf.tidy(() => crossEntropy(tf.reshape(logits, [-1, classes]), tf.reshape(labels, [-1]), ignoreIndex)); // [B·T, C], [B·T]
}

/**
 * Masked-LM loss. Either logits for the masked positions only ([M, V] with labels [M], as decoded from
 * masking's `positions`) or for every token ([B, T, V] with labels [B, T], −100 where not masked).
 */
export function maskedLmLoss(logits: tf.Tensor, labels: tf.Tensor): tf.Scalar {
  return logits.rank === 3 ? tokenCrossEntropy(logits, labels) : crossEntropy(logits, labels);
}

/** Settings of the distillation loss. */
export interface DistillationOptions {
  /** Softmax temperature T (DistilBERT: 2). */
  temperature: number;
  /** Weight of the soft (teacher) term; the hard label term gets 1 − alpha. */
  alpha: number;
  /** Hard labels [N] (−100 ignored); required when alpha < 1. */
  labels?: tf.Tensor;
  /** Optional [N] 0/1 weights choosing which rows enter the soft term (e.g. non-pad positions). */
  rowMask?: tf.Tensor;
}

/**
 * Knowledge-distillation loss on logits [N, C] (flatten [B, T, C] first):
 *   soft = T² · Σ_rows KL(softmax(teacher/T) ‖ softmax(student/T)) / rows   ("batchmean", DistilBERT)
 *   loss = alpha·soft + (1 − alpha)·crossEntropy(student, labels)
 * The teacher gets no gradient.
 */
export function distillationLoss(student: tf.Tensor, teacher: tf.Tensor, options: DistillationOptions): tf.Scalar {
  const { temperature: t, alpha, labels, rowMask } = options;
  if (student.rank !== 2 || teacher.rank !== 2 || student.shape[0] !== teacher.shape[0] || student.shape[1] !== teacher.shape[1]) {
    throw new Error(`distillationLoss: student [${student.shape}] and teacher [${teacher.shape}] must be equal [N, C]`);
  }
  if (!(t > 0)) throw new Error(`distillationLoss: temperature must be > 0, got ${t}`);
  if (!(alpha >= 0 && alpha <= 1)) throw new Error(`distillationLoss: alpha must be in [0, 1], got ${alpha}`);
  if (alpha < 1 && !labels) throw new Error('distillationLoss: alpha < 1 needs hard labels');
  return tf.tidy(() => {
    const logPs = tf.logSoftmax(tf.div(student, t)); // [N, C]
    const logPt = tf.logSoftmax(tf.div(stopGradient(teacher), t));
    const pt = tf.exp(logPt);
    const rowKl = tf.sum(tf.mul(pt, tf.sub(logPt, logPs)), 1); // [N]
    const weights = rowMask ? tf.cast(rowMask, 'float32') : tf.onesLike(rowKl);
    const rows = tf.maximum(tf.sum(weights), 1);
    const soft = tf.mul(tf.div(tf.sum(tf.mul(rowKl, weights)), rows), t * t);
    if (alpha === 1) return soft as tf.Scalar;
    const hard = crossEntropy(student, labels!);
    return tf.add(tf.mul(soft, alpha), tf.mul(hard, 1 - alpha)) as tf.Scalar;
  });
}
