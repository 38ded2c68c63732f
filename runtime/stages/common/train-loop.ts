// The training loop every training stage shares: epochs of seeded batches, AdamW with warmup and
// decay, clipping, accumulation, progress events with tokens/s and ETA, optional early stopping,
// gradual unfreezing, and checkpoints a restarted run resumes from.
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { readSafetensorsFile, writeSafetensorsFile } from '../../io/safetensors';
import { AdamW, createSchedule, GradAccumulator } from '../../model/optim';
import { createRng, type Rng } from '../../model/rng';
import { assignValue, type TaskModel } from '../../model/task-model';
import { trainStep } from '../../model/train-step';
import { tf } from '../../tf';
import type { StageContext } from '../define-stage';
import { writeFileAtomic } from '../../io/atomic-write';
import type { HostBatch } from './encode';

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
  /** Validation score (higher is better), checked at each epoch end for early stopping. */
  validate?: () => number;
  patience?: number;
  phase?: string;
}

export interface LoopResult {
  steps: number;
  lossHistory: number[];
  stoppedEarly: boolean;
  bestValidation?: number;
}

/** How often a training stage saves a resumable checkpoint (TUNEGRAPH_CHECKPOINT_MS overrides, for tests). */
const CHECKPOINT_EVERY_MS = Number(process.env.TUNEGRAPH_CHECKPOINT_MS || 30_000);

function saveCheckpoint(dir: string, model: TaskModel, step: number) {
  mkdirSync(dir, { recursive: true });
  const tensors: Record<string, { shape: number[]; data: Float32Array }> = {};
  for (const [name, v] of model.allWeights()) if (v.trainable) tensors[name] = { shape: [...v.shape], data: v.dataSync() as Float32Array };
  writeSafetensorsFile(join(dir, 'weights.safetensors'), tensors);
  writeFileAtomic(join(dir, 'state.json'), JSON.stringify({ step }));
}

function loadCheckpoint(dir: string, model: TaskModel): number {
  const statePath = join(dir, 'state.json');
  if (!existsSync(statePath) || !existsSync(join(dir, 'weights.safetensors'))) return 0;
  const { step } = JSON.parse(readFileSync(statePath, 'utf8')) as { step: number };
  const file = readSafetensorsFile(join(dir, 'weights.safetensors'));
  const weights = new Map(model.allWeights());
  for (const [name, t] of file.tensors) {
    const v = weights.get(name);
    if (v) assignValue(v, () => tf.tensor(t.data, t.shape));
  }
  return step;
}

/** Runs the loop; resumes from `ctx.checkpointDir` when a previous attempt left a checkpoint. */
export async function runTrainingLoop(o: LoopOptions): Promise<LoopResult> {
  const { ctx, model } = o;
  const stepsPerEpoch = Math.max(1, Math.ceil(o.examples / o.batchSize));
  const accumulation = o.accumulation ?? 1;
  let totalBatches = Math.max(1, Math.round(stepsPerEpoch * o.epochs));
  if (o.maxSteps && o.maxSteps > 0) totalBatches = Math.min(totalBatches, o.maxSteps * accumulation);
  const totalSteps = Math.max(1, Math.ceil(totalBatches / accumulation));
  const schedule = createSchedule({ kind: o.schedule, lr: o.learningRate, warmupSteps: Math.round(totalSteps * o.warmupRatio), totalSteps });
  const rng = createRng(o.seed);
  const checkpointDir = join(ctx.checkpointDir, o.phase ?? 'train');
  const resumeFrom = loadCheckpoint(checkpointDir, model);
  if (resumeFrom > 0) ctx.log(`resuming from checkpoint at batch ${resumeFrom} of ${totalBatches}`);

  let optimizer = new AdamW(model.trainableParams(), { lr: schedule, weightDecay: o.weightDecay });
  let accumulate = accumulation > 1 ? new GradAccumulator(accumulation) : undefined;
  const lossHistory: number[] = [];
  let best = -Infinity;
  let sinceBest = 0;
  let stoppedEarly = false;
  let lastCheckpoint = Date.now();
  const started = Date.now();
  let tokensSeen = 0;
  let batchIndex = 0;

  try {
    for (let epoch = 0; batchIndex < totalBatches; epoch++) {
      if (o.onEpochStart?.(epoch)) {
        optimizer.dispose();
        optimizer = new AdamW(model.trainableParams(), { lr: schedule, weightDecay: o.weightDecay });
        optimizer.stepCount = Math.floor(batchIndex / accumulation);
      }
      const order = rng.shuffle(Array.from({ length: o.examples }, (_, i) => i));
      for (let start = 0; start < order.length && batchIndex < totalBatches; start += o.batchSize) {
        ctx.throwIfCancelled();
        const batchRng = createRng(o.seed * 1_000_003 + batchIndex);
        if (batchIndex < resumeFrom) {
          batchIndex++;
          continue;
        }
        if (batchIndex === resumeFrom && resumeFrom > 0) optimizer.stepCount = Math.floor(resumeFrom / accumulation);
        const batch = o.makeBatch(order.slice(start, start + o.batchSize));
        const result = await trainStep({ params: model.trainableParams(), lossFn: () => o.loss(batch, batchRng), optimizer, maxGradNorm: o.maxGradNorm && o.maxGradNorm > 0 ? o.maxGradNorm : undefined, accumulate });
        batchIndex++;
        tokensSeen += batch.tokens;
        lossHistory.push(result.loss);
        if (result.skipped) ctx.log(`step ${batchIndex}: gradient norm ${result.gradNorm} is not finite; update skipped`, 'warn');
        const elapsed = (Date.now() - started) / 1000;
        const done = batchIndex - resumeFrom;
        ctx.progress({
          step: Math.ceil(batchIndex / accumulation),
          totalSteps,
          epoch: batchIndex / stepsPerEpoch,
          loss: result.loss,
          lr: schedule.lrAt(Math.max(0, Math.ceil(batchIndex / accumulation) - 1)),
          tokensPerSec: elapsed > 0 ? tokensSeen / elapsed : undefined,
          etaSec: done > 0 ? ((totalBatches - batchIndex) * elapsed) / done : undefined,
          phase: o.phase,
        });
        if (Date.now() - lastCheckpoint > CHECKPOINT_EVERY_MS) {
          saveCheckpoint(checkpointDir, model, batchIndex);
          lastCheckpoint = Date.now();
        }
        // Yield so cancel messages and IPC flushes get through between steps.
        await new Promise((r) => setImmediate(r));
      }
      if (o.validate && batchIndex < totalBatches + 1) {
        const score = o.validate();
        ctx.log(`epoch ${epoch + 1}: validation score ${score.toFixed(4)}`);
        if (score > best) {
          best = score;
          sinceBest = 0;
        } else if (o.patience && ++sinceBest >= o.patience) {
          ctx.log(`early stopping: no validation improvement for ${o.patience} epoch${o.patience > 1 ? 's' : ''}`);
          stoppedEarly = true;
          break;
        }
      }
    }
  } finally {
    optimizer.dispose();
  }
  rmSync(checkpointDir, { recursive: true, force: true });
  return { steps: Math.ceil(batchIndex / accumulation), lossHistory, stoppedEarly, bestValidation: o.validate ? best : undefined };
}
