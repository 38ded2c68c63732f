// A training stage interrupted mid-way resumes from its last checkpoint instead of from zero.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { initBackend } from '../../../runtime/backend';
import { loadModelFolder } from '../../../runtime/io/model-folder';
import { CancelledError } from '../../../runtime/stages/stage-error';
import type { StageContext } from '../../../runtime/stages/define-stage';
import { crossEntropy } from '../../../runtime/model/losses';
import { tf } from '../../../runtime/tf';

process.env.TUNEGRAPH_CHECKPOINT_MS = '-1'; // checkpoint after every batch
const fixture = fileURLToPath(new URL('../../fixtures/tiny-bert/', import.meta.url));

function ctxStub(checkpointDir: string, stopAfter: number | null, logs: string[]) {
  let calls = 0;
  return {
    checkpointDir,
    progress: () => {},
    log: (m: string) => logs.push(m),
    metrics: () => {},
    throwIfCancelled: () => {
      if (stopAfter !== null && ++calls > stopAfter) throw new CancelledError();
    },
  } as unknown as StageContext<unknown, unknown>;
}

describe('training checkpoints', () => {
  it('an interrupted loop resumes at the batch it reached', async () => {
    await initBackend('wasm');
    const { runTrainingLoop } = await import('../../../runtime/stages/common/train-loop');
    const checkpointDir = mkdtempSync(join(tmpdir(), 'tg-ckpt-'));
    const batch = (idx: number[]) => ({
      inputIds: Int32Array.from(idx.flatMap((i) => [2, 10 + (i % 20), 11, 3])),
      attentionMask: new Int32Array(idx.length * 4).fill(1),
      labels: Int32Array.from(idx.map((i) => i % 3)),
      batchSize: idx.length,
      seqLength: 4,
      tokens: idx.length * 4,
    });
    const run = async (stopAfter: number | null, logs: string[]) => {
      const { model } = await loadModelFolder(fixture);
      try {
        return await runTrainingLoop({
          ctx: ctxStub(checkpointDir, stopAfter, logs),
          model,
          examples: 40,
          makeBatch: batch,
          loss: (b) => crossEntropy(model.forwardSequence({ inputIds: tf.tensor2d(b.inputIds, [b.batchSize, 4], 'int32'), attentionMask: tf.tensor2d(b.attentionMask, [b.batchSize, 4], 'int32') }, { training: false }), tf.tensor1d(b.labels, 'int32')),
          epochs: 2,
          batchSize: 4,
          learningRate: 1e-3,
          warmupRatio: 0,
          schedule: 'linear',
          weightDecay: 0,
          seed: 1,
          phase: 'test',
        });
      } finally {
        model.dispose();
      }
    };
    await expect(run(7, [])).rejects.toBeInstanceOf(CancelledError);
    const logs: string[] = [];
    const result = await run(null, logs);
    expect(logs).toContain('resuming test from its checkpoint at batch 7 of 20 (epoch 1, optimizer step 7)');
    expect(result.steps).toBe(20);
    // The loss history of the first attempt travels in the checkpoint.
    expect(result.lossHistory).toHaveLength(20);
  });
});
