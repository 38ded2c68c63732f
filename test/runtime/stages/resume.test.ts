// Through the real executor: a fine-tune killed mid-way and resumed stores the same artifact bytes
// and metrics as an uninterrupted run; a huge learning rate fails the stage with the reason; no
// empty checkpoint folder is left behind.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphDocument } from '../../../graph-nodes';
import { initBackend } from '../../../runtime/backend';
import { cacheKeysFor } from '../../../runtime/compile/cache-key';
import { planRun } from '../../../runtime/compile/plan';
import type { NodeStatus, RunEvent } from '../../../runtime/exec/events';
import { executeRun } from '../../../runtime/exec/execute-run';
import { stages } from '../../../runtime/stages';
import { stageVersions } from '../../../runtime/stages/versions';
import { fineTuneGraph } from '../../helpers/fine-tune-graph';
import { testRuntimeEnv } from '../../helpers/run-env';

function graph(ft: Record<string, unknown>): GraphDocument {
  return fineTuneGraph({
    data: { maxExamples: 120, seed: 1 },
    split: { trainRatio: 0.6, validationRatio: 0.2, testRatio: 0.2, seed: 0 },
    ft: { learningRate: 3e-3, epochs: 4, batchSize: 8, maxSeqLength: 32, warmupRatio: 0.1, gradientAccumulationSteps: 2, earlyStoppingPatience: 2, seed: 7, ...ft },
    ev: { name: 'ft' },
  });
}

/** Runs `doc`; aborts (as a kill would) once fine-tune reports optimizer step `killAtStep`. */
async function run(doc: GraphDocument, env: ReturnType<typeof testRuntimeEnv>, killAtStep?: number) {
  const keys = cacheKeysFor(doc, { stageVersions });
  const events: RunEvent[] = [];
  const controller = new AbortController();
  const status = await executeRun(
    { runId: 'r_resume', document: doc, order: planRun(doc), keys, env },
    {
      stages,
      signal: controller.signal,
      emit: (e) => {
        events.push(e);
        if (killAtStep !== undefined && e.type === 'progress' && e.nodeId === 'ft' && e.step === killAtStep) controller.abort();
      },
    },
  );
  const final = new Map<string, NodeStatus>();
  const errors = new Map<string, string | undefined>();
  const metrics = new Map<string, Record<string, unknown>>();
  for (const e of events) {
    if (e.type === 'node-status') final.set(e.nodeId, e.status);
    if (e.type === 'node-status' && e.status === 'failed') errors.set(e.nodeId, e.error);
    if (e.type === 'metrics') metrics.set(e.nodeId, { ...metrics.get(e.nodeId), ...e.metrics });
  }
  const weights = () => readFileSync(join(env.dataDir, 'artifacts', keys.ft, 'model', 'model.safetensors'));
  return { status, final, errors, metrics, events, weights, keys };
}

/** Metrics without the wall-clock throughput, which differs between any two runs. */
function deterministic(m: Record<string, unknown> | undefined) {
  const { values, ...rest } = (m ?? {}) as { values?: Record<string, number> };
  if (!values) return rest;
  const { examplesPerSec: _timing, ...kept } = values;
  return { ...rest, values: kept };
}

describe('resumable fine-tuning through the executor', () => {
  const straightEnv = testRuntimeEnv();
  const resumedEnv = testRuntimeEnv();
  beforeAll(async () => {
    await initBackend('wasm');
    process.env.TUNEGRAPH_CHECKPOINT_STEPS = '2';
  });
  afterAll(() => {
    delete process.env.TUNEGRAPH_CHECKPOINT_STEPS;
  });

  it('a run killed at step 11 and resumed stores a bit-identical model and the same metrics', async () => {
    // Leftovers of older runs: an empty stage folder and an old-format checkpoint; the run sweeps both.
    const root = join(resumedEnv.dataDir, 'checkpoints');
    mkdirSync(join(root, 'empty-key'), { recursive: true });
    mkdirSync(join(root, 'old-key', 'fine-tune'), { recursive: true });
    writeFileSync(join(root, 'old-key', 'fine-tune', 'state.json'), '{"step":3}');

    const doc = graph({});
    const straight = await run(doc, straightEnv);
    expect(straight.status).toBe('done');

    const killed = await run(doc, resumedEnv, 11);
    expect(killed.status).toBe('cancelled');
    expect(killed.final.get('ft')).toBe('cancelled');
    // Only the interrupted stage's checkpoint is left: one folder, one file.
    expect(readdirSync(root)).toEqual([killed.keys.ft]);
    expect(readdirSync(join(root, killed.keys.ft))).toEqual(['fine-tune.checkpoint.safetensors']);

    const resumed = await run(doc, resumedEnv);
    expect(resumed.status).toBe('done');
    expect(resumed.events).toContainEqual(expect.objectContaining({ type: 'log', nodeId: 'ft', message: expect.stringMatching(/^resuming fine-tune from its checkpoint at batch 20 of \d+ \(epoch \d, optimizer step 10\)$/) }));
    expect(resumed.weights().equals(straight.weights())).toBe(true);
    expect(resumed.metrics.get('ft')).toEqual(straight.metrics.get('ft'));
    expect(deterministic(resumed.metrics.get('eval'))).toEqual(deterministic(straight.metrics.get('eval')));
    expect(straight.metrics.get('ft')).toEqual(expect.objectContaining({ bestEpoch: expect.any(Number), bestStep: expect.any(Number), bestValidationMacroF1: expect.any(Number), selectedBy: 'validation macro-F1' }));
    // Nothing is left under checkpoints/ once the stage finished.
    expect(readdirSync(root)).toEqual([]);
  });

  it('learning rate 1 fails fine-tune with the step, the loss and a hint; eval is skipped', async () => {
    const { status, final, errors } = await run(graph({ learningRate: 1, epochs: 8 }), straightEnv);
    expect(status).toBe('failed');
    expect(final.get('ft')).toBe('failed');
    expect(final.get('eval')).toBe('skipped');
    expect(errors.get('ft')).toMatch(/^training diverged at step \d+: the loss .*; learning rate 1 is probably too high; try 2e-5 … 1e-3$/);
    expect(existsSync(join(straightEnv.dataDir, 'checkpoints')) ? readdirSync(join(straightEnv.dataDir, 'checkpoints')) : []).toEqual([]);
  });
});
