// The compare view's data shaping: best value per metric, metric tables, parallel-coordinate axes.
import { describe, expect, it } from 'vitest';
import { bestOf, metricDirection, metricGroups, parallelCoordinates } from '../../../app/_teams/compare-data';
import { paramDiff } from '../../../runtime/compile/param-diff';
import { pipelineGraph } from '../../helpers/graph-builder';

const ev = (accuracy: number, macroF1: number, flags: { code: string; message: string }[] = []) => ({ name: 'test set', kind: 'classification', values: { accuracy, macroF1 }, flags });
const stage = (trainLoss: number) => ({ name: 'ft', kind: 'stage', values: { trainLoss, steps: 10 }, flags: [] });

describe('best per metric', () => {
  it('knows which way is better', () => {
    expect(['accuracy', 'macroF1', 'perplexityAfter', 'trainLoss', 'steps', 'bestValidationMacroF1'].map(metricDirection)).toEqual(['max', 'max', 'min', 'min', null, 'max']);
  });

  it('marks the best run, ties together, and nothing when all are equal, alone, or undirected', () => {
    expect(bestOf([0.5, 0.9, null, 0.7], 'max')).toEqual([1]);
    expect(bestOf([0.5, 0.2, 0.2], 'min')).toEqual([1, 2]);
    expect(bestOf([0.5, 0.5], 'max')).toEqual([]);
    expect(bestOf([0.5, null], 'max')).toEqual([]);
    expect(bestOf([10, 20], null)).toEqual([]);
  });

  it('groups numbers per node, evaluations first, with flags per run', () => {
    const collapsed = { code: 'collapsed', message: 'every prediction is "ham"' };
    const groups = metricGroups(
      [
        { id: 'a', metrics: { ft: stage(0.7), ev: ev(0.6, 0.375, [collapsed]) } },
        { id: 'b', metrics: { ft: stage(0.4), ev: ev(0.9, 0.88) } },
      ],
      ['ft', 'ev'],
    );
    expect(groups.map((g) => g.nodeId)).toEqual(['ev', 'ft']);
    expect(groups[0].flags).toEqual([[collapsed], []]);
    expect(groups[0].rows.map((r) => [r.metric, r.values, r.best])).toEqual([
      ['accuracy', [0.6, 0.9], [1]],
      ['macroF1', [0.375, 0.88], [1]],
    ]);
    expect(groups[1].rows.map((r) => [r.metric, r.best])).toEqual([['trainLoss', [1]], ['steps', []]]);
  });
});

describe('parallel coordinates', () => {
  it('has an axis per differing param (log for learning rates, categories for words) and per ranked metric', () => {
    const docs = [
      pipelineGraph('n', { learningRate: 1e-4, schedule: 'linear' }).doc,
      pipelineGraph('n', { learningRate: 1e-3, schedule: 'cosine' }).doc,
      pipelineGraph('n', { learningRate: 1e-2, schedule: 'linear' }).doc,
    ];
    const groups = metricGroups([
      { id: 'a', metrics: { ev: ev(0.5, 0.4) } },
      { id: 'b', metrics: { ev: ev(0.7, 0.6) } },
      { id: 'c', metrics: { ev: ev(0.6, 0.5) } },
    ]);
    const axes = parallelCoordinates(3, paramDiff(docs), groups);
    expect(axes.map((a) => [a.id, a.kind, a.scale])).toEqual([
      ['n9.learningRate', 'param', 'log'],
      ['n9.schedule', 'param', 'category'],
      ['ev:accuracy', 'metric', 'linear'],
      ['ev:macroF1', 'metric', 'linear'],
    ]);
    const [lr, schedule, accuracy] = axes;
    expect(lr.positions.map((p) => +p!.toFixed(6))).toEqual([0, 0.5, 1]);
    expect(schedule.ticks).toEqual([{ at: 0, label: 'linear' }, { at: 1, label: 'cosine' }]);
    expect(schedule.positions).toEqual([0, 1, 0]);
    expect(accuracy.positions.map((p) => +p!.toFixed(6))).toEqual([0, 1, 0.5]);
    expect(accuracy.ticks.map((t) => t.label)).toEqual(['0.5', '0.7']);
  });

  it('puts equal values mid-axis and leaves runs without a value off the axis', () => {
    const groups = metricGroups([
      { id: 'a', metrics: { ev: ev(0.5, 0.4) } },
      { id: 'b', metrics: {} },
    ]);
    const axes = parallelCoordinates(2, [], groups);
    expect(axes[0].positions).toEqual([0.5, null]);
  });
});

describe('parallel coordinates with training numbers', () => {
  it('adds ranked training-stage numbers after the evaluations', () => {
    const groups = metricGroups([
      { id: 'a', metrics: { ev: ev(0.5, 0.4), ft: stage(0.7) } },
      { id: 'b', metrics: { ev: ev(0.7, 0.6), ft: stage(0.3) } },
    ]);
    expect(parallelCoordinates(2, [], groups).map((a) => a.id)).toEqual(['ev:accuracy', 'ev:macroF1', 'ft:trainLoss']);
  });
});
