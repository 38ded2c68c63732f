// The whole-run executor (embedded mode) and the one-stage executor (queue mode) run a node through the
// same code: the same statuses, metrics and artifacts for the same graph, and the same failure handling.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../runtime/backend';
import type { Dataset } from '../../../runtime/data/types';
import { loadModelFolder } from '../../../runtime/io/model-folder';
import { predictText } from '../../../runtime/exec/try-model';
import { classificationMetrics } from '../../../runtime/stages/common/metrics';
import { predictLabels } from '../../../runtime/stages/common/predict';
import { cacheKeysFor } from '../../../runtime/compile/cache-key';
import { planRun } from '../../../runtime/compile/plan';
import { ArtifactStore } from '../../../runtime/exec/artifact-store';
import type { RunEvent } from '../../../runtime/exec/events';
import { executeRun } from '../../../runtime/exec/execute-run';
import { executeStage } from '../../../runtime/exec/execute-stage';
import { stages } from '../../../runtime/stages';
import type { Stage } from '../../../runtime/stages/define-stage';
import { StageError } from '../../../runtime/stages/stage-error';
import { stageVersions } from '../../../runtime/stages/versions';
import { fineTuneGraph } from '../../helpers/fine-tune-graph';
import { testRuntimeEnv } from '../../helpers/run-env';

/** data → split; tiny model → head → fine-tune ("auto" learning rate) → eval. */
function tinyGraph() {
  return fineTuneGraph({ data: { maxExamples: 60, seed: 4 }, ft: { epochs: 1, batchSize: 8, maxSeqLength: 32 } });
}

/** Per node: its statuses after "queued", and its metrics events. */
function byNode(events: RunEvent[]) {
  const out: Record<string, { statuses: string[]; metrics: unknown[] }> = {};
  for (const e of events) {
    if (e.type !== 'node-status' && e.type !== 'metrics') continue;
    const n = (out[e.nodeId] ??= { statuses: [], metrics: [] });
    if (e.type === 'node-status' && e.status !== 'queued') n.statuses.push(e.error ? `${e.status}: ${e.error}` : e.status);
    // Throughput differs from one execution to the next; everything else must match.
    if (e.type === 'metrics') n.metrics.push(JSON.parse(JSON.stringify(e.metrics, (k, v) => (k === 'examplesPerSec' ? undefined : v))));
  }
  return out;
}

describe('one code path from a node to its artifact', () => {
  beforeAll(async () => {
    await initBackend();
  });

  it('executeRun and executeStage (node by node) report the same statuses and metrics and write the same artifacts', async () => {
    const doc = tinyGraph();
    const order = planRun(doc);
    const keys = cacheKeysFor(doc, { stageVersions });
    const signal = new AbortController().signal;

    const whole = testRuntimeEnv();
    const runEvents: RunEvent[] = [];
    expect(await executeRun({ runId: 'r_whole', document: doc, order, keys, env: whole }, { stages, emit: (e) => runEvents.push(e), signal })).toBe('done');

    const staged = testRuntimeEnv();
    const store = new ArtifactStore(join(staged.dataDir, 'artifacts'));
    const stageEvents: RunEvent[] = [];
    for (const nodeId of order) {
      const outcome = await executeStage({ runId: 'r_staged', nodeId, document: doc, keys, force: false }, { stages, store, env: staged, emit: (e) => stageEvents.push(e), signal });
      expect(outcome).toEqual({ status: 'done' });
    }
    expect(byNode(stageEvents)).toEqual(byNode(runEvents));
    const artifacts = (dir: string) => readdirSync(join(dir, 'artifacts')).filter((f) => !f.startsWith('.')).sort();
    expect(artifacts(staged.dataDir)).toEqual(artifacts(whole.dataDir));
    expect(artifacts(whole.dataDir)).toHaveLength(order.length);

    // A second time every node is cached in both, and says so with the metrics it recorded.
    const again: RunEvent[] = [];
    await executeRun({ runId: 'r_whole2', document: doc, order, keys, env: whole }, { stages, emit: (e) => again.push(e), signal });
    const cachedAgain = byNode(again);
    for (const nodeId of order) expect(cachedAgain[nodeId].statuses).toEqual(['cached']);
    expect(cachedAgain.eval.metrics).toEqual(byNode(runEvents).eval.metrics);
  });

  it('a stage that fails is reported the same way by both, with nothing committed', async () => {
    const doc = tinyGraph();
    const order = planRun(doc);
    const keys = cacheKeysFor(doc, { stageVersions });
    const failing: Record<string, Stage> = { ...(stages as unknown as Record<string, Stage>), 'fine-tune': { ...(stages['fine-tune'] as unknown as Stage), run: async () => { throw new StageError('the training data went away'); } } };
    const signal = new AbortController().signal;

    const whole = testRuntimeEnv();
    const runEvents: RunEvent[] = [];
    expect(await executeRun({ runId: 'r_fail', document: doc, order, keys, env: whole }, { stages: failing, emit: (e) => runEvents.push(e), signal })).toBe('failed');
    expect(byNode(runEvents).ft.statuses).toEqual(['running', 'failed: the training data went away']);
    expect(byNode(runEvents).eval.statuses).toEqual(['skipped: upstream node "ft" failed']);

    const staged = testRuntimeEnv();
    const store = new ArtifactStore(join(staged.dataDir, 'artifacts'));
    const stageEvents: RunEvent[] = [];
    const outcomes: Record<string, unknown> = {};
    for (const nodeId of order.filter((id) => id !== 'eval')) outcomes[nodeId] = await executeStage({ runId: 'r_fail2', nodeId, document: doc, keys, force: false }, { stages: failing, store, env: staged, emit: (e) => stageEvents.push(e), signal });
    expect(outcomes.ft).toEqual({ status: 'failed', error: 'the training data went away' });
    expect(byNode(stageEvents).ft).toEqual(byNode(runEvents).ft);
    expect(store.has(keys.ft)).toBe(false);
    expect(readdirSync(join(staged.dataDir, 'artifacts', '.tmp'))).toEqual([]);
  });
});

describe('the length a classifier was trained at', () => {
  it('is recorded in its head by fine-tune, kept through the artifact, and used by Eval and Try it', async () => {
    await initBackend();
    const doc = tinyGraph(); // fine-tunes at 32 tokens
    const order = planRun(doc);
    const keys = cacheKeysFor(doc, { stageVersions });
    const env = testRuntimeEnv();
    const events: RunEvent[] = [];
    expect(await executeRun({ runId: 'r_len', document: doc, order, keys, env }, { stages, emit: (e) => events.push(e), signal: new AbortController().signal })).toBe('done');
    const { model, tokenizer } = await loadModelFolder(join(env.dataDir, 'artifacts', keys.ft, 'model'));
    expect(model.head?.maxSeqLength).toBe(32);
    const long = 'free money now '.repeat(40);
    const tried = predictText({ model, tokenizer, lineage: [] }, long);
    expect(tried).toMatchObject({ task: 'sequence', tokens: 32, truncated: true });
    // Eval scores what validation scored: the same model on the same rows at 32 tokens gives Eval's numbers.
    const split = JSON.parse(readFileSync(join(env.dataDir, 'artifacts', keys.split, 'dataset', 'dataset.json'), 'utf8')) as Dataset;
    const test = split.splits!.test;
    const labels = model.head!.labels;
    const at = (maxLength: number) => {
      const { gold, pred } = predictLabels(model, tokenizer, split, test, { batchSize: 64, maxLength });
      return classificationMetrics(gold, pred, labels).values.accuracy;
    };
    const evalMetrics = (events.find((e) => e.type === 'metrics' && e.nodeId === 'eval') as unknown as { metrics: { values: { accuracy: number }; maxSeqLength: number } }).metrics;
    expect(evalMetrics.maxSeqLength).toBe(32); // the fixture has 64 positions: scoring at them was the defect
    expect(evalMetrics.values.accuracy).toBeCloseTo(at(32), 10);
    model.dispose();
  });
});
