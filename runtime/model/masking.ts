// BERT masked-LM corruption (HF DataCollatorForLanguageModeling): 15% of real tokens, 80/10/10.
import type { Rng } from './rng';
import { IGNORE_INDEX } from './losses';

/** Settings for maskTokens. */
export interface MaskingOptions {
  /** Id of [MASK]. */
  maskTokenId: number;
  /** Random replacements are drawn uniformly from [0, vocabSize), as HF draws from len(tokenizer). */
  vocabSize: number;
  /** Ids never chosen for masking ([CLS], [SEP], [PAD], …). */
  specialIds: Iterable<number>;
  /** Optional 1/0 per token; 0 (padding) is never chosen. */
  attentionMask?: ArrayLike<number>;
  /** Chance each eligible token is chosen (mlm_probability). Default 0.15. */
  probability?: number;
  rng: Rng;
}

/** Result of maskTokens; all arrays are flat, row-major over [B, T]. */
export interface MaskedBatch {
  /** Corrupted ids to feed the model. */
  inputIds: Int32Array;
  /** Original id at chosen positions, −100 elsewhere. */
  labels: Int32Array;
  /** Flat indices (b·T + t) of the chosen positions, ascending: the rows the MLM head decodes. */
  positions: Int32Array;
  /** labels at `positions` (same length), for a loss over decoded rows only. */
  positionLabels: Int32Array;
}

/**
 * Chooses each non-special, non-pad token with probability p (Bernoulli, as HF); of those, 80%
 * become [MASK], 10% a random token, 10% stay. If nothing was chosen but something was eligible,
 * one eligible token is chosen so the loss is never over zero positions.
 */
export function maskTokens(ids: ArrayLike<number>, options: MaskingOptions): MaskedBatch {
  const { maskTokenId, vocabSize, rng, attentionMask, probability = 0.15 } = options;
  if (!(probability > 0 && probability <= 1)) throw new Error(`maskTokens: probability must be in (0, 1], got ${probability}`);
  if (attentionMask && attentionMask.length !== ids.length) {
    throw new Error(`maskTokens: attentionMask has ${attentionMask.length} entries for ${ids.length} ids`);
  }
  const special = new Set(options.specialIds);
  const n = ids.length;
  const inputIds = Int32Array.from(ids);
  const labels = new Int32Array(n).fill(IGNORE_INDEX);
  const eligible: number[] = [];
  const chosen: number[] = [];
  for (let i = 0; i < n; i++) {
    if (special.has(ids[i]!) || (attentionMask && attentionMask[i] === 0)) continue;
    eligible.push(i);
    if (rng.next() < probability) chosen.push(i);
  }
  if (chosen.length === 0 && eligible.length > 0) chosen.push(eligible[rng.int(eligible.length)]!);
  for (const i of chosen) {
    labels[i] = ids[i]!;
    const r = rng.next();
    if (r < 0.8) inputIds[i] = maskTokenId;
    else if (r < 0.9) inputIds[i] = rng.int(vocabSize);
    // else: keep the original token (the model must still predict it)
  }
  const positions = Int32Array.from(chosen);
  return { inputIds, labels, positions, positionLabels: Int32Array.from(chosen, (i) => ids[i]!) };
}
