// The masked-LM decoder tied to the word embeddings: logits = h · Eᵀ + bias, with a hand-written gradient.
import { tf, type Tensor, type Tensor2D } from '../tf';
import { isFrozen } from './ops';
import { customOp } from './ops/custom-grad';
import { nativeActive } from './ops/native-kernels';
import { gemm } from './ops/native-ops';

/**
 * Decoder logits h [N, H] · embeddingsᵀ ([V, H] → [H, V]) + bias [V] → [N, V].
 * The gradient needs no transposed copy of the (large) embedding matrix: dh = dy · E and
 * dE = dyᵀ · h, both plain matMuls after one transpose of dy. With frozen embeddings only dh is
 * computed (frozen = a non-trainable variable); the bias is added outside the custom op so it always gets its gradient through autodiff.
 */
export function tiedDecoder(h: Tensor, embeddings: Tensor, bias: Tensor): Tensor2D {
  if (h.rank !== 2 || embeddings.rank !== 2 || h.shape[1] !== embeddings.shape[1]) {
    throw new Error(`tiedDecoder: h must be [N, ${embeddings.shape[1]}], got [${h.shape}] (embeddings [${embeddings.shape}])`);
  }
  let logits: Tensor;
  if (nativeActive() && h.dtype === 'float32') {
    // Native GEMM reads Eᵀ and dyᵀ in place: no transposed copy of the [V, H] table or of dy.
    if (isFrozen(embeddings)) {
      logits = customOp(([hi], save) => {
        save([]);
        return { value: gemm(hi!, embeddings, false, true), gradFunc: (dy) => [gemm(dy, embeddings)] }; // [N, V]; dh [N, H]
      })(h);
    } else {
      logits = customOp(([hi, e], save) => {
        save([hi!, e!]);
        return {
          value: gemm(hi!, e!, false, true), // [N, H] · [V, H]ᵀ → [N, V]
          gradFunc: (dy, [sh, se]) => [gemm(dy, se!), gemm(dy, sh!, true, false)], // dh [N, H], dE = dyᵀ·h [V, H]
        };
      })(h, embeddings);
    }
  } else if (isFrozen(embeddings)) {
    // A frozen variable is never disposed during the step, so the gradient may close over it
    // (a plain tensor could be: it always takes the saved-input path below).
    const op = customOp(([hi], save) => {
      save([]);
      return {
        value: tf.matMul(hi!, tf.transpose(embeddings)), // [N, H] · [H, V] → [N, V]
        gradFunc: (dy) => [tf.matMul(dy, embeddings)], // [N, V] · [V, H] → [N, H]
      };
    });
    logits = op(h);
  } else {
    const op = customOp(([hi, e], save) => {
      save([hi!, e!]);
      return {
        value: tf.matMul(hi!, tf.transpose(e!)), // [N, H] · [H, V] → [N, V]
        gradFunc: (dy, [sh, se]) => [
          tf.matMul(dy, se!), // dh: [N, V] · [V, H] → [N, H]
          tf.matMul(tf.transpose(dy), sh!), // dE: [V, N] · [N, H] → [V, H]
        ],
      };
    });
    logits = op(h, embeddings);
  }
  return tf.add(logits, bias) as Tensor2D;
}
