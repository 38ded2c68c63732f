// Catches a training run that has gone wrong (NaN/Inf loss or gradients, non-finite weights, a loss
// that climbed far above where it started) and fails the stage with the step, the loss and a hint.
import { tf } from '../../tf';
import { StageError } from '../stage-error';

/** How many recent batches the "loss grew" rule averages over (fewer in runs shorter than this). */
export const DIVERGENCE_WINDOW = 10;
/** The "loss grew" rule fires when the windowed mean loss exceeds this multiple of its reference. */
export const DIVERGENCE_FACTOR = 3;

/** What the guard remembers between batches (saved in checkpoints so a resumed run decides alike). */
export interface DivergenceState {
  /** Loss of the first batch: the model as it came in. */
  first: number | null;
  /** Losses of the last DIVERGENCE_WINDOW batches, oldest first. */
  recent: number[];
}

/** Learning rates formatted as a person writes them: 1, 0.5, 2e-5. */
function formatLr(lr: number): string {
  const rounded = Number(lr.toPrecision(3));
  return rounded >= 1e-3 ? String(rounded) : rounded.toExponential().replace('e-0', 'e-');
}

/** A hint that names the learning rate and a range that works for BERT-family fine-tuning. */
export function learningRateHint(lr: number): string {
  if (lr > 1e-3) return `learning rate ${formatLr(lr)} is probably too high; try 2e-5 … 1e-3`;
  return `learning rate ${formatLr(lr)} may still be too high for this model and data; try ${formatLr(lr / 10)}, and keep maxGradNorm at 1`;
}

/**
 * The rule, per batch:
 * - a non-finite loss or gradient norm fails at once;
 * - otherwise, once `window` batches are in, their mean loss must stay at or below
 *   DIVERGENCE_FACTOR × max(first batch's loss, chance loss). The chance loss is the loss of a model
 *   that spreads its probability evenly, ln(number of classes) (ln(vocabulary) for masked LM); a
 *   model three times worse than that, averaged over ten batches, is confidently wrong rather than
 *   noisy. The first batch's loss stands in where it is higher (a model that starts badly) and is the
 *   whole reference where no chance loss applies (distillation's mixed loss).
 */
export class DivergenceGuard {
  readonly state: DivergenceState;
  private readonly window: number;

  constructor(
    private readonly opts: { learningRate: number; chanceLoss?: number; totalBatches: number },
    state?: DivergenceState,
  ) {
    this.window = Math.max(1, Math.min(DIVERGENCE_WINDOW, opts.totalBatches));
    this.state = state ? { first: state.first, recent: [...state.recent] } : { first: null, recent: [] };
  }

  /** The loss the windowed mean must stay under (Infinity before the first batch). */
  get limit(): number {
    if (this.state.first === null) return Infinity;
    return DIVERGENCE_FACTOR * Math.max(this.state.first, this.opts.chanceLoss ?? 0);
  }

  /**
   * Records one batch; throws a StageError naming `step` when the run has diverged. `skippedGradNorm`
   * is the norm of an update the optimizer refused because it was not finite.
   */
  observe(step: number, loss: number, skippedGradNorm?: number): void {
    const hint = learningRateHint(this.opts.learningRate);
    if (!Number.isFinite(loss)) throw new StageError(`training diverged at step ${step}: the loss is ${loss}; ${hint}`);
    if (skippedGradNorm !== undefined) throw new StageError(`training diverged at step ${step}: the gradient norm is ${skippedGradNorm} (loss ${loss.toFixed(4)}); ${hint}`);
    if (this.state.first === null) this.state.first = loss;
    this.state.recent.push(loss);
    if (this.state.recent.length > this.window) this.state.recent.shift();
    if (this.state.recent.length < this.window) return;
    const mean = this.state.recent.reduce((a, b) => a + b, 0) / this.window;
    if (mean > this.limit) {
      throw new StageError(
        `training diverged at step ${step}: the loss averaged ${mean.toFixed(4)} over the last ${this.window} batches, over ${DIVERGENCE_FACTOR}× its reference ${(this.limit / DIVERGENCE_FACTOR).toFixed(4)} (it started at ${this.state.first.toFixed(4)}); ${hint}`,
      );
    }
  }
}

/** Names of the weights holding a NaN or ±Infinity (one small reduction per weight: x·0 is 0 only when x is finite). */
export function nonFiniteWeights(weights: [string, tf.Variable][]): string[] {
  if (weights.length === 0) return [];
  const probes = tf.tidy(() => tf.stack(weights.map(([, v]) => tf.sum(tf.mul(v, 0)))).dataSync());
  return weights.filter((_, i) => probes[i] !== 0).map(([name]) => name);
}
