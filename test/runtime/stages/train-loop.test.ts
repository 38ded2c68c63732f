// The shared training loop on the tiny fixture model: divergence fails with the reason, the best
// validation epoch is kept, early stopping, checkpoints resume exactly, and no tensor leaks.
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../runtime/backend';
import { loadModelFolder } from '../../../runtime/io/model-folder';
import { crossEntropy } from '../../../runtime/model/losses';
import type { TaskModel } from '../../../runtime/model/task-model';
import { freezeAllBut } from '../../../runtime/model/trainability';
import type { StageContext } from '../../../runtime/stages/define-stage';
import { CancelledError, StageError } from '../../../runtime/stages/stage-error';
import type { HostBatch } from '../../../runtime/stages/common/encode';
import type { LoopOptions, Validation } from '../../../runtime/stages/common/train-loop';
import { tf } from '../../../runtime/tf';

const fixture = fileURLToPath(new URL('../../fixtures/tiny-bert/', import.meta.url));
const SEQ = 4;

interface Recorder {
  logs: { message: string; level: string }[];
  progress: { step: number; loss?: number; numTensors: number }[];
}

/** A stage context writing checkpoints to `checkpointDir`; cancels on the `stopAfter`+1-th batch. */
function ctxStub(checkpointDir: string, rec: Recorder, stopAfter: number | null = null) {
  let calls = 0;
  return {
    checkpointDir,
    progress: (p: { step: number; loss?: number }) => rec.progress.push({ step: p.step, loss: p.loss, numTensors: tf.memory().numTensors }),
    log: (message: string, level = 'info') => rec.logs.push({ message, level }),
    metrics: () => {},
    throwIfCancelled: () => {
      if (stopAfter !== null && ++calls > stopAfter) throw new CancelledError();
    },
  } as unknown as StageContext<unknown, unknown>;
}

/** Rows of 4 ids whose label is a function of the middle token: learnable in a few steps. */
function makeBatch(idx: number[]): HostBatch {
  return {
    inputIds: Int32Array.from(idx.flatMap((i) => [2, 10 + (i % 20), 11, 3])),
    attentionMask: new Int32Array(idx.length * SEQ).fill(1),
    labels: Int32Array.from(idx.map((i) => i % 3)),
    batchSize: idx.length,
    seqLength: SEQ,
    tokens: idx.length * SEQ,
  };
}

function taskLoss(model: TaskModel) {
  return (b: HostBatch, rng: Parameters<LoopOptions['loss']>[1]) =>
    crossEntropy(model.forwardSequence({ inputIds: tf.tensor2d(b.inputIds, [b.batchSize, SEQ], 'int32'), attentionMask: tf.tensor2d(b.attentionMask, [b.batchSize, SEQ], 'int32') }, { training: true, rng }), tf.tensor1d(b.labels, 'int32'));
}

/** SHA-256 over every weight's name and float32 bytes: equal only when the weights are bit-identical. */
function weightsOf(model: TaskModel): string {
  const hash = createHash('sha256');
  for (const [name, v] of model.allWeights()) hash.update(name).update(new Uint8Array((v.dataSync() as Float32Array).slice().buffer));
  return hash.digest('hex');
}

/** Trains the fixture with `overrides`, handing the model to `inspect` before it is disposed. */
async function train(overrides: Partial<LoopOptions> & { checkpointDir?: string; stopAfter?: number | null; validateWith?: (model: TaskModel, epoch: number) => Validation; unfreezeWith?: (model: TaskModel, epoch: number) => boolean }, inspect?: (model: TaskModel) => void, prepare?: (model: TaskModel) => void) {
  const { runTrainingLoop } = await import('../../../runtime/stages/common/train-loop');
  const rec: Recorder = { logs: [], progress: [] };
  const checkpointDir = overrides.checkpointDir ?? mkdtempSync(join(tmpdir(), 'tg-loop-'));
  const { model } = await loadModelFolder(fixture);
  let epoch = 0;
  prepare?.(model);
  try {
    const result = await runTrainingLoop({
      ctx: ctxStub(checkpointDir, rec, overrides.stopAfter ?? null),
      model,
      examples: 40,
      makeBatch,
      loss: taskLoss(model),
      epochs: 2,
      batchSize: 4,
      learningRate: 1e-3,
      warmupRatio: 0,
      schedule: 'linear',
      weightDecay: 0.01,
      maxGradNorm: 1,
      seed: 1,
      phase: 'test',
      validate: overrides.validateWith ? () => overrides.validateWith!(model, ++epoch) : undefined,
      onEpochStart: overrides.unfreezeWith ? (e) => overrides.unfreezeWith!(model, e) : undefined,
      ...overrides,
    });
    inspect?.(model);
    return { result, rec, checkpointDir };
  } finally {
    model.dispose();
  }
}

describe('training loop', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('a NaN loss fails the stage at that step with the learning rate hint', async () => {
    let calls = 0;
    let lossOf: LoopOptions['loss'] = () => tf.scalar(0);
    const err = await train({
      // A loss that turns NaN on the third batch, as a log(0)·0 would.
      loss: (b, rng) => tf.mul(lossOf(b, rng), ++calls >= 3 ? NaN : 1) as tf.Scalar,
    }, undefined, (model) => {
      lossOf = taskLoss(model);
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StageError);
    expect((err as Error).message).toBe('training diverged at step 3: the loss is NaN; learning rate 0.001 may still be too high for this model and data; try 1e-4, and keep maxGradNorm at 1');
  });

  it('learning rate 1 makes the loss climb far above its start and fails the stage with the reason', async () => {
    // The loss is read from the model here: three classes, so the floor of the rule is 3·ln 3.
    const err = await train({ learningRate: 1, epochs: 20, maxGradNorm: 0, chanceLoss: Math.log(3) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StageError);
    expect((err as Error).message).toMatch(/^training diverged at step \d+: the loss averaged [\d.]+ over the last 10 batches, over 3× its reference [\d.]+ .*learning rate 1 is probably too high; try 2e-5 … 1e-3$/);
  });

  it('weights that become non-finite after an update fail the stage', async () => {
    const err = await train({ learningRate: Infinity }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StageError);
    expect((err as Error).message).toMatch(/^training diverged at step 1: \d+ weight tensors \(first "[^"]+"\) hold NaN or Infinity after the update/);
  });

  it('a healthy run at a sane learning rate is not flagged as diverged', async () => {
    const { result } = await train({ epochs: 3 });
    expect(result.steps).toBe(30);
    expect(result.lossHistory.at(-1)!).toBeLessThan(result.lossHistory[0]);
  });

  it('keeps the weights of the best validation epoch, not the last, and reports it', async () => {
    const scores = [0.5, 0.9, 0.3, 0.2];
    const snapshots: string[] = [];
    let final = '';
    const { result, rec } = await train(
      {
        epochs: 4,
        validateWith: (model, epoch) => {
          snapshots.push(weightsOf(model));
          return { score: scores[epoch - 1], summary: `score ${scores[epoch - 1]}` };
        },
      },
      (model) => {
        final = weightsOf(model);
      },
    );
    expect(result.best).toEqual({ score: 0.9, epoch: 2, step: 20 });
    expect(result.stoppedEarly).toBe(false);
    expect(result.epochs).toBe(4);
    expect(result.steps).toBe(40);
    expect(final).toBe(snapshots[1]);
    expect(final).not.toBe(snapshots[3]);
    expect(rec.logs.map((l) => l.message)).toContain("kept the weights of epoch 2 (step 20), the best on validation, instead of the last epoch's");
  });

  it('stops early after `patience` validations without improvement and restores the best epoch', async () => {
    const scores = [0.6, 0.5, 0.55, 0.9, 0.9, 0.9];
    const snapshots: string[] = [];
    let final = '';
    const { result, rec } = await train(
      {
        epochs: 6,
        patience: 2,
        validateWith: (model, epoch) => {
          snapshots.push(weightsOf(model));
          return { score: scores[epoch - 1], summary: `score ${scores[epoch - 1]}` };
        },
      },
      (model) => {
        final = weightsOf(model);
      },
    );
    expect(snapshots).toHaveLength(3);
    expect(result.stoppedEarly).toBe(true);
    expect(result.epochs).toBe(3);
    expect(result.steps).toBe(30);
    expect(result.best).toEqual({ score: 0.6, epoch: 1, step: 10 });
    expect(final).toBe(snapshots[0]);
    expect(rec.logs.map((l) => l.message)).toContain('early stopping after epoch 3: no validation improvement for 2 epochs');
  });

  // Two kill points: mid-epoch (step-count checkpoints) and right after an epoch's validation (a checkpoint after
  // every batch and epoch end), where the resumed loop must start the next epoch, unfreezing included.
  it.each([
    { policy: { TUNEGRAPH_CHECKPOINT_STEPS: '3' }, stopAfter: 25, log: 'resuming test from its checkpoint at batch 24 of 40 (epoch 3, optimizer step 12)' },
    { policy: { TUNEGRAPH_CHECKPOINT_MS: '-1' }, stopAfter: 20, log: 'resuming test from its checkpoint at batch 20 of 40 (epoch 3, optimizer step 10)' },
  ])('a loop killed after $stopAfter batches and resumed from its checkpoint ends bit-identical, without validating an epoch twice', async ({ policy, stopAfter, log }) => {
    Object.assign(process.env, policy);
    try {
      // Validation reads the model (its weights' sum), so any drift would show in the scores too.
      const validateWith = (model: TaskModel) => {
        const s = tf.tidy(() => tf.addN(model.trainableParams().map((p) => tf.sum(p.variable))).dataSync()[0]);
        return { score: Math.sin(s * 1000), summary: `s ${s}` };
      };
      // Gradual unfreezing: the head alone in epoch 1, the top layer joins in epoch 2, everything from epoch 3.
      const unfreezeWith = (model: TaskModel, epoch: number) => {
        freezeAllBut(model, (name) => epoch >= 2 || name.startsWith('classifier.') || (epoch === 1 && name.includes('.layer.1.')));
        return true;
      };
      const common = { epochs: 4, accumulation: 2, patience: 2, validateWith, unfreezeWith, schedule: 'cosine' as const, warmupRatio: 0.2 };
      let straight = '';
      const a = await train(common, (m) => {
        straight = weightsOf(m);
      });
      const checkpointDir = mkdtempSync(join(tmpdir(), 'tg-loop-'));
      await expect(train({ ...common, checkpointDir, stopAfter })).rejects.toBeInstanceOf(CancelledError);
      expect(readdirSync(checkpointDir)).toEqual(['test.checkpoint.safetensors']);
      let resumed = '';
      const b = await train({ ...common, checkpointDir }, (m) => {
        resumed = weightsOf(m);
      });
      expect(b.rec.logs[0].message).toBe(log);
      expect(resumed).toBe(straight);
      expect(b.result).toEqual(a.result);
      // The resumed attempt validates only the epochs it trained: 3 and 4 (or fewer after an early stop).
      const validations = (r: Recorder) => r.logs.filter((l) => /^epoch \d+: validation/.test(l.message)).map((l) => l.message);
      expect(validations(b.rec)).toEqual(validations(a.rec).filter((m) => !m.startsWith('epoch 1:') && !m.startsWith('epoch 2:')));
      // The checkpoint and its folder are gone once the loop finished.
      expect(existsSync(checkpointDir)).toBe(false);
    } finally {
      for (const k of Object.keys(policy)) delete process.env[k];
    }
  });

  it('a checkpoint that cannot be read (truncated, foreign) is dropped and training starts over', async () => {
    const checkpointDir = mkdtempSync(join(tmpdir(), 'tg-loop-'));
    writeFileSync(join(checkpointDir, 'test.checkpoint.safetensors'), 'not a safetensors file');
    const { result, rec } = await train({ checkpointDir, epochs: 1 });
    expect(result.steps).toBe(10);
    expect(rec.logs.some((l) => l.message.startsWith('resuming'))).toBe(false);
    expect(existsSync(checkpointDir)).toBe(false);
  });

  it('keeps the tensor count flat across steps and gives every tensor back at the end', async () => {
    const before = tf.memory().numTensors;
    const { rec } = await train({ epochs: 2, validateWith: (_m, epoch) => ({ score: epoch, summary: '' }) });
    const counts = rec.progress.map((p) => p.numTensors);
    // The first step creates the optimizer's lazily filled state; from then on every step is flat.
    expect(new Set(counts.slice(1))).toEqual(new Set([counts[1]]));
    expect(tf.memory().numTensors).toBe(before);
  });
});
