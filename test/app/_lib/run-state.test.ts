// Folding run events into what the editor shows: failure reasons in the header, the logs and on nodes; badges that follow cache keys.
import { describe, expect, it } from 'vitest';
import { applyRunEvents, emptyRunView, flagsOf, nodesMatchingRun, progressText, runFailureReason } from '../../../app/_lib/run-state';
import type { MetricsValue } from '../../../runtime/exec/port-values';
import { compareStage } from '../../../runtime/stages/eval-stages';
import type { NumberedRunEvent, RunEvent } from '../../../runtime/exec/events';

let seq = 0;
const ev = (e: RunEvent): NumberedRunEvent => ({ ...e, runId: 'r_1', seq: ++seq, at: new Date(0).toISOString() }) as NumberedRunEvent;

describe('run-state', () => {
  it('a failed stage puts its reason on the node, in the logs and in the run header', () => {
    const view = applyRunEvents(emptyRunView(), [
      ev({ type: 'run-status', status: 'running' }),
      ev({ type: 'node-status', nodeId: 'ft', status: 'running', cacheKey: 'k1' }),
      ev({ type: 'node-status', nodeId: 'ft', status: 'failed', error: 'loss became NaN at step 3', cacheKey: 'k1' }),
      ev({ type: 'node-status', nodeId: 'eval', status: 'skipped', error: 'upstream node "ft" failed', cacheKey: 'k2' }),
      ev({ type: 'run-status', status: 'failed' }),
    ]);
    expect(view.nodes.ft).toMatchObject({ status: 'failed', error: 'loss became NaN at step 3', cacheKey: 'k1' });
    expect(view.nodes.eval.error).toBe('upstream node "ft" failed');
    expect(view.logs.map((l) => [l.level, l.nodeId, l.message])).toEqual([
      ['error', 'ft', 'failed: loss became NaN at step 3'],
      ['warn', 'eval', 'skipped: upstream node "ft" failed'],
    ]);
    expect(runFailureReason(view)).toBe('node "ft" failed: loss became NaN at step 3');
  });

  it('the run’s own error wins over a node’s, and a run that did not fail has no reason', () => {
    const failed = applyRunEvents(emptyRunView(), [ev({ type: 'run-status', status: 'failed', error: 'worker process exited unexpectedly (signal SIGKILL)' })]);
    expect(runFailureReason(failed)).toBe('worker process exited unexpectedly (signal SIGKILL)');
    const done = applyRunEvents(emptyRunView(), [ev({ type: 'run-status', status: 'done' })]);
    expect(runFailureReason(done)).toBeUndefined();
  });

  it('replayed events are ignored, so a reload does not double the log', () => {
    const events = [ev({ type: 'node-status', nodeId: 'a', status: 'failed', error: 'boom' })];
    const once = applyRunEvents(emptyRunView(), events);
    expect(applyRunEvents(once, events)).toBe(once);
  });

  it('badges follow cache keys: an edited node no longer shows the run’s state, the others keep it', () => {
    const view = applyRunEvents(emptyRunView(), [
      ev({ type: 'node-status', nodeId: 'head', status: 'done', cacheKey: 'h1' }),
      ev({ type: 'node-status', nodeId: 'ft', status: 'done', cacheKey: 'f1' }),
    ]);
    expect(Object.keys(nodesMatchingRun(view, undefined))).toEqual(['head', 'ft']);
    expect(Object.keys(nodesMatchingRun(view, { head: 'h1', ft: 'f1' }))).toEqual(['head', 'ft']);
    expect(Object.keys(nodesMatchingRun(view, { head: 'h1', ft: 'f2' }))).toEqual(['head']);
  });

  it('a baseline’s flags show like Eval’s: on its node, in the run summary and in the Compare node', async () => {
    // The baseline stage's metrics as the server sends them once it flags a collapsed baseline.
    const baseline: MetricsValue = {
      name: 'TF-IDF + logistic regression',
      kind: 'classification',
      values: { accuracy: 0.69, macroF1: 0.41 },
      split: 'test',
      examples: 80,
      flags: [{ code: 'collapsed', message: 'every prediction is "ham" (80 of 80)' }],
    };
    const evaluation: MetricsValue = { name: 'fine-tuned', kind: 'classification', values: { accuracy: 0.95, macroF1: 0.94 }, flags: [] };
    // The real Compare stage ranks both and carries the baseline's warning.
    const { metrics: comparison } = (await compareStage.run({ params: { primaryMetric: 'macroF1', sort: 'descending' }, inputs: { metrics: [evaluation, baseline] }, nodeId: 'compare', log: () => {} } as never)) as { metrics: MetricsValue };
    const view = applyRunEvents(emptyRunView(), [
      ev({ type: 'node-status', nodeId: 'baseline', status: 'running', cacheKey: 'b1' }),
      ev({ type: 'metrics', nodeId: 'baseline', metrics: baseline as never }),
      ev({ type: 'node-status', nodeId: 'baseline', status: 'done', cacheKey: 'b1' }),
      ev({ type: 'node-status', nodeId: 'eval', status: 'done', cacheKey: 'e1' }),
      ev({ type: 'metrics', nodeId: 'eval', metrics: evaluation as never }),
      ev({ type: 'metrics', nodeId: 'compare', metrics: comparison as never }),
      ev({ type: 'node-status', nodeId: 'compare', status: 'done', cacheKey: 'c1' }),
    ]);
    // The node card reads `nodes[id].flags`; done after the metrics keeps them.
    expect(view.nodes.baseline).toMatchObject({ status: 'done', flags: [{ code: 'collapsed' }] });
    expect(view.nodes.eval.flags).toBeUndefined();
    // The run summary reads flagsOf(metrics) per evaluation, and per row in a comparison.
    expect(flagsOf(view.metrics.baseline).map((f) => f.code)).toEqual(['collapsed']);
    const rows = (view.metrics.compare as unknown as MetricsValue).rows!;
    expect(rows.map((r) => [r.name, flagsOf(r).map((f) => f.code)])).toEqual([['fine-tuned', []], ['TF-IDF + logistic regression', ['collapsed']]]);
    expect(view.nodes.compare.flags).toEqual([{ code: 'collapsed', message: 'TF-IDF + logistic regression: every prediction is "ham" (80 of 80)' }]);
  });
});

describe('run-state: data work progress', () => {
  it('shows rows parsed on the node without adding points to the loss curves, then training steps', () => {
    const view = applyRunEvents(emptyRunView(), [
      ev({ type: 'node-status', nodeId: 'emails', status: 'running' }),
      ev({ type: 'progress', nodeId: 'emails', step: 2000, totalSteps: 6046, epoch: 0, phase: 'parsing emails', unit: 'emails' }),
      ev({ type: 'node-status', nodeId: 'dapt', status: 'running' }),
      ev({ type: 'progress', nodeId: 'dapt', step: 1, totalSteps: 2, epoch: 0, phase: 'perplexity before', unit: 'batches' }),
      ev({ type: 'progress', nodeId: 'dapt', step: 1, totalSteps: 100, epoch: 0.01, loss: 3.2, phase: 'dapt' }),
    ]);
    expect(view.nodes.emails).toMatchObject({ step: 2000, totalSteps: 6046, unit: 'emails' });
    expect(progressText(view.nodes.emails)).toBe('parsing emails 2,000 / 6,046 emails');
    expect(view.series.emails).toBeUndefined();
    // Training clears the unit: the node shows steps again and the curve has only the training point.
    expect(view.nodes.dapt.unit).toBeUndefined();
    expect(progressText(view.nodes.dapt)).toBe('dapt: step 1 of 100');
    expect(view.series.dapt).toEqual([{ step: 1, loss: 3.2, lr: undefined, tokensPerSec: undefined }]);
    expect(progressText({ step: 3_100_000, totalSteps: 17_600_000, phase: 'download model.safetensors (1/3)', unit: 'bytes' })).toBe('download model.safetensors (1/3) 3.1 / 17.6 MB');
  });
});
