// The executor runs "auto" params with the values graphs.check shows (same rule, same facts).
import { describe, expect, it } from 'vitest';
import { cacheKeysFor } from '../../../runtime/compile/cache-key';
import { diskFactSources } from '../../../runtime/compile/disk-facts';
import { graphFacts } from '../../../runtime/compile/graph-facts';
import { planRun } from '../../../runtime/compile/plan';
import { resolveAutoParams } from '../../../runtime/compile/resolve-defaults';
import { validateGraph } from '../../../runtime/compile/validate';
import { initBackend } from '../../../runtime/backend';
import { executeRun } from '../../../runtime/exec/execute-run';
import { stages } from '../../../runtime/stages';
import { defineStage, type Stage } from '../../../runtime/stages/define-stage';
import { fineTune } from '../../../graph-nodes/fine-tune';
import { stageVersions } from '../../../runtime/stages/versions';
import { graphBuilder } from '../../helpers/graph-builder';
import { FIXTURE_MODEL_ID, testRuntimeEnv } from '../../helpers/run-env';

describe('auto params at run time', () => {
  it('the fine-tune stage receives the resolved numbers the check reported', async () => {
    await initBackend();
    const g = graphBuilder('');
    g.node('dataset-bundled', { dataset: 'spam-assassin', maxExamples: 100, seed: 1 }, { id: 'data' });
    g.node('split', { maxTrainExamples: 50 }, { id: 'split' });
    g.node('pretrained-load', { modelId: FIXTURE_MODEL_ID }, { id: 'load' });
    g.node('head', {}, { id: 'head' });
    g.node('fine-tune', { batchSize: 10, learningRate: 'auto', epochs: 'auto' }, { id: 'ft' });
    g.connect('data', 'dataset', 'split', 'dataset');
    g.connect('load', 'model', 'head', 'model');
    g.connect('split', 'dataset', 'head', 'dataset');
    g.connect('head', 'model', 'ft', 'model');
    g.connect('split', 'dataset', 'ft', 'dataset');
    const doc = g.build();
    const env = testRuntimeEnv();
    expect(validateGraph(doc, diskFactSources(env))).toEqual([]);
    const shown = resolveAutoParams(graphFacts(doc, diskFactSources(env))).ft;
    let received: Record<string, unknown> | undefined;
    const spy = defineStage(fineTune, stageVersions['fine-tune'], async ({ params, inputs }) => {
      received = params;
      return { model: inputs.model };
    });
    const order = planRun(doc);
    const status = await executeRun(
      { runId: 'r_auto', document: doc, order, keys: cacheKeysFor(doc, { stageVersions }), env },
      { stages: { ...stages, 'fine-tune': spy as unknown as Stage }, emit: () => {}, signal: new AbortController().signal },
    );
    expect(status).toBe('done');
    expect(received).toMatchObject({ learningRate: shown.learningRate.value, epochs: shown.epochs.value, warmupRatio: 0.1, batchSize: 10 });
    expect(shown.epochs.value).toBe(20); // 50 examples at batch 10: 5 steps per epoch, 20 epochs for the small set's 100 steps
  });
});
