// The training loop every training stage shares: epochs of seeded batches, AdamW with warmup and
// decay, clipping, accumulation, progress events with tokens/s and ETA, divergence checks, the best
// weights on validation with early stopping, gradual unfreezing, and checkpoints from which a
// restarted run continues bit for bit as if it had never stopped.
import { AdamW, createSchedule, GradAccumulator, type LrSchedule } from '../../model/optim';
import { createRng, deriveSeed, type Rng } from '../../model/rng';
import { assignValue, type TaskModel } from '../../model/task-model';
import { trainStep } from '../../model/train-step';
import { tf } from '../../tf';
import type { StageContext } from '../define-stage';
import { StageError } from '../stage-error';
import { checkpointFile, loadCheckpoint, removeCheckpoint, saveCheckpoint, type LoopPosition } from './checkpoint';
import { DivergenceGuard, learningRateHint, nonFiniteWeights } from './divergence';
import type { HostBatch } from './encode';

/** One validation pass: a score where higher is better, and the line to log. */
export interface Validation {
  score: number;
  summary: string;
}

export interface LoopOptions {
  ctx: StageContext<unknown, unknown>;
  model: TaskModel;
  /** Number of examples (rows) per epoch and a function building a batch from example indices. */
  examples: number;
  makeBatch: (indices: number[]) => HostBatch;
  /** Scalar loss for a batch (runs inside the gradient tape). */
  loss: (batch: HostBatch, rng: Rng) => tf.Scalar;
  epochs: number;
  batchSize: number;
  learningRate: number;
  warmupRatio: number;
  schedule: 'linear' | 'cosine' | 'constant';
  weightDecay: number;
  maxGradNorm?: number;
  accumulation?: number;
  maxSteps?: number;
  seed: number;
  /** Called at each epoch start; return true when trainability changed (the optimizer is rebuilt). */
  onEpochStart?: (epoch: number) => boolean;
  /** Scores the model at each epoch end; the best epoch's weights are restored at the end. */
  validate?: () => Validation;
  /** Stop after this many validations without improvement (0 or undefined: never). */
  patience?: number;
  /** Loss of a uniform guess (ln of the class count): the floor of the divergence rule. */
  chanceLoss?: number;
  phase?: string;
}

export interface LoopResult {
  /** Optimizer steps taken. */
  steps: number;
  lossHistory: number[];
  stoppedEarly: boolean;
  /** Epochs trained (the last may be partial). */
  epochs: number;
  /** The best validation (1-based epoch, optimizer step), whose weights the model now holds. */
  best?: { score: number; epoch: number; step: number };
}

/** Stream ids for deriveSeed, so shuffling and per-batch randomness never share numbers. */
const SHUFFLE_STREAM = 1;
const BATCH_STREAM = 2;

/** How often to checkpoint: every `ms` of wall time, and every `steps` optimizer steps when set. */
function checkpointPolicy(): { ms: number; steps: number } {
  // Read per run so tests can ask for step-exact checkpoints (TUNEGRAPH_CHECKPOINT_STEPS).
  return { ms: Number(process.env.TUNEGRAPH_CHECKPOINT_MS || 30_000), steps: Number(process.env.TUNEGRAPH_CHECKPOINT_STEPS || 0) };
}

/** Host copies of the named weights. */
function snapshot(model: TaskModel, names: string[]): Map<string, Float32Array> {
  const weights = new Map(model.allWeights());
  return new Map(names.map((name) => [name, weights.get(name)!.dataSync().slice() as Float32Array]));
}

/** Overwrites the named weights with host values. */
function restoreWeights(model: TaskModel, values: Map<string, Float32Array>): void {
  for (const [name, v] of model.allWeights()) {
    const data = values.get(name);
    if (data) assignValue(v, () => tf.tensor(data, v.shape));
  }
}

/** Runs the loop; continues from the phase's checkpoint in `ctx.checkpointDir` when a previous attempt left one. */
export async function runTrainingLoop(o: LoopOptions): Promise<LoopResult> {
  const { ctx, model } = o;
  const phase = o.phase ?? 'train';
  const stepsPerEpoch = Math.max(1, Math.ceil(o.examples / o.batchSize));
  const accumulation = o.accumulation ?? 1;
  let totalBatches = Math.max(1, Math.round(stepsPerEpoch * o.epochs));
  if (o.maxSteps && o.maxSteps > 0) totalBatches = Math.min(totalBatches, o.maxSteps * accumulation);
  const totalSteps = Math.max(1, Math.ceil(totalBatches / accumulation));
  const totalEpochs = Math.ceil(totalBatches / stepsPerEpoch);
  const schedule: LrSchedule = createSchedule({ kind: o.schedule, lr: o.learningRate, warmupSteps: Math.round(totalSteps * o.warmupRatio), totalSteps });
  const file = checkpointFile(ctx.checkpointDir, phase);
  const policy = checkpointPolicy();

  // Every weight this loop may change: what is trainable now (gradual unfreezing only narrows it).
  const changeable = model.allWeights().filter(([, v]) => v.trainable).map(([name]) => name);
  let pos: LoopPosition = { batchIndex: 0, epoch: 0, epochStarted: false, optimizerSteps: 0, trainable: changeable, lossHistory: [], best: null, sinceBest: 0, divergence: { first: null, recent: [] } };
  let bestWeights: Map<string, Float32Array> | null = null;
  const saved = loadCheckpoint(file);
  const current = new Map(model.allWeights());
  const resumable = saved !== null && changeable.every((name) => saved.tensors.weights.get(name)?.data.length === current.get(name)!.size);
  if (saved && !resumable) ctx.log(`ignoring a checkpoint of ${phase} that does not match this model's trainable weights`, 'warn');
  if (saved && resumable) {
    pos = saved.position;
    restoreWeights(model, new Map([...saved.tensors.weights].map(([name, w]) => [name, w.data])));
    const trainable = new Set(pos.trainable);
    for (const [name, v] of model.allWeights()) v.trainable = trainable.has(name);
    bestWeights = saved.tensors.best;
    ctx.log(`resuming ${phase} from its checkpoint at batch ${pos.batchIndex} of ${totalBatches} (epoch ${pos.epoch + 1}, optimizer step ${pos.optimizerSteps})`);
  }

  let optimizer = new AdamW(model.trainableParams(), { lr: schedule, weightDecay: o.weightDecay });
  if (saved && resumable) optimizer.restore(saved.tensors.moments, pos.optimizerSteps);
  const accumulate = accumulation > 1 ? new GradAccumulator(accumulation) : undefined;
  const guard = new DivergenceGuard({ learningRate: o.learningRate, chanceLoss: o.chanceLoss, totalBatches }, pos.divergence);
  pos.divergence = guard.state;
  let stoppedEarly = false;
  let lastCheckpointAt = Date.now();
  let lastCheckpointStep = pos.optimizerSteps;
  const resumedAt = pos.batchIndex;
  const started = Date.now();
  let tokensSeen = 0;

  const checkpointIfDue = () => {
    // Mid-accumulation gradients are not saved, so checkpoints fall on optimizer-step boundaries only.
    if (accumulate && accumulate.count > 0) return;
    const byTime = Date.now() - lastCheckpointAt > policy.ms;
    const bySteps = policy.steps > 0 && pos.optimizerSteps - lastCheckpointStep >= policy.steps;
    if (!byTime && !bySteps) return;
    const weights = new Map(model.allWeights());
    saveCheckpoint(file, { ...pos, trainable: model.allWeights().filter(([, v]) => v.trainable).map(([n]) => n) }, {
      weights: new Map(changeable.map((name) => [name, { shape: [...weights.get(name)!.shape], data: weights.get(name)!.dataSync() as Float32Array }])),
      moments: optimizer.momentsByName(),
      best: bestWeights,
    });
    lastCheckpointAt = Date.now();
    lastCheckpointStep = pos.optimizerSteps;
  };

  try {
    for (; pos.epoch < totalEpochs && !stoppedEarly; pos.epoch++) {
      const epoch = pos.epoch;
      if (!pos.epochStarted) {
        if (o.onEpochStart?.(epoch)) {
          optimizer.dispose();
          optimizer = new AdamW(model.trainableParams(), { lr: schedule, weightDecay: o.weightDecay });
          optimizer.stepCount = pos.optimizerSteps;
        }
        pos.epochStarted = true;
      }
      // The order of an epoch depends on (seed, epoch) only, so a resumed epoch sees the same batches.
      const order = createRng(deriveSeed(o.seed, SHUFFLE_STREAM, epoch)).shuffle(Array.from({ length: o.examples }, (_, i) => i));
      const epochEnd = Math.min(totalBatches, (epoch + 1) * stepsPerEpoch);
      while (pos.batchIndex < epochEnd) {
        ctx.throwIfCancelled();
        const within = pos.batchIndex - epoch * stepsPerEpoch;
        const batch = o.makeBatch(order.slice(within * o.batchSize, (within + 1) * o.batchSize));
        const batchRng = createRng(deriveSeed(o.seed, BATCH_STREAM, pos.batchIndex));
        const result = await trainStep({ params: model.trainableParams(), lossFn: () => o.loss(batch, batchRng), optimizer, maxGradNorm: o.maxGradNorm && o.maxGradNorm > 0 ? o.maxGradNorm : undefined, accumulate });
        pos.batchIndex++;
        const step = Math.ceil(pos.batchIndex / accumulation);
        guard.observe(step, result.loss, result.skipped ? result.gradNorm : undefined);
        if (result.applied) {
          pos.optimizerSteps = optimizer.stepCount;
          const broken = nonFiniteWeights(optimizer.params.map((p): [string, tf.Variable] => [p.name, p.variable]));
          if (broken.length > 0) throw new StageError(`training diverged at step ${step}: ${broken.length} weight tensor${broken.length > 1 ? 's' : ''} (first "${broken[0]}") hold NaN or Infinity after the update (loss ${result.loss.toFixed(4)}); ${learningRateHint(o.learningRate)}`);
        }
        tokensSeen += batch.tokens;
        pos.lossHistory.push(result.loss);
        const elapsed = (Date.now() - started) / 1000;
        const done = pos.batchIndex - resumedAt;
        ctx.progress({
          step,
          totalSteps,
          epoch: pos.batchIndex / stepsPerEpoch,
          loss: result.loss,
          lr: schedule.lrAt(Math.max(0, step - 1)),
          tokensPerSec: elapsed > 0 ? tokensSeen / elapsed : undefined,
          etaSec: done > 0 ? ((totalBatches - pos.batchIndex) * elapsed) / done : undefined,
          phase: o.phase,
        });
        checkpointIfDue();
        // Yield so cancel messages and IPC flushes get through between steps.
        await new Promise((r) => setImmediate(r));
      }
      if (o.validate) {
        const v = o.validate();
        const improved = pos.best === null || v.score > pos.best.score;
        if (improved) {
          pos.best = { score: v.score, epoch: epoch + 1, step: pos.optimizerSteps };
          pos.sinceBest = 0;
          bestWeights = snapshot(model, changeable);
        } else {
          pos.sinceBest++;
        }
        ctx.log(`epoch ${epoch + 1}: validation ${v.summary}${improved ? ' (best so far)' : ` (best: epoch ${pos.best!.epoch})`}`);
        if (!improved && o.patience && pos.sinceBest >= o.patience) {
          ctx.log(`early stopping after epoch ${epoch + 1}: no validation improvement for ${o.patience} epoch${o.patience > 1 ? 's' : ''}`);
          stoppedEarly = true;
        }
      }
      pos.epochStarted = false;
      if (!stoppedEarly && epoch + 1 < totalEpochs) {
        // Saved as "epoch + 1 not started yet", so a resume never validates this epoch again.
        pos.epoch = epoch + 1;
        checkpointIfDue();
        pos.epoch = epoch;
      }
    }
    const epochsRun = Math.min(pos.epoch, totalEpochs);
    if (bestWeights && pos.best && pos.best.epoch !== epochsRun) {
      restoreWeights(model, bestWeights);
      ctx.log(`kept the weights of epoch ${pos.best.epoch} (step ${pos.best.step}), the best on validation, instead of the last epoch's`);
    }
    removeCheckpoint(file, ctx.checkpointDir);
    return { steps: pos.optimizerSteps, lossHistory: pos.lossHistory, stoppedEarly, epochs: epochsRun, best: pos.best ?? undefined };
  } catch (err) {
    // A stage error (divergence) would happen again from the same checkpoint: start afresh next time.
    if (err instanceof StageError) removeCheckpoint(file, ctx.checkpointDir);
    throw err;
  } finally {
    optimizer.dispose();
    accumulate?.dispose();
  }
}
