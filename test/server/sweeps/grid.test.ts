// Sweep grids without a server: typed values from text, which params can be swept, the points in
// order, and the results table's best-per-metric marks.
import { describe, expect, it } from 'vitest';
import { expandGrid, parseSweepValues, sweepableParams, sweepProblems } from '../../../server/sweeps/grid';
import { sweepColumns, type SweepRow } from '../../../server/sweeps/results-table';
import { pipelineGraph } from '../../helpers/graph-builder';

describe('sweep grids', () => {
  it('reads comma-separated values as numbers, on/off and words', () => {
    expect(parseSweepValues(' 1e-3, 5E-4 ,16, auto, true, cosine,, ')).toEqual([1e-3, 5e-4, 16, 'auto', true, 'cosine']);
    expect(parseSweepValues('0x10, 1,5')).toEqual(['0x10', 1, 5]);
  });

  it('offers scalar params only: numbers, "auto or a number", choices and on/off', () => {
    const ft = Object.fromEntries(sweepableParams('fine-tune').map((p) => [p.name, p.kind]));
    expect(ft).toMatchObject({ learningRate: 'number-or-auto', batchSize: 'integer', weightDecay: 'number', schedule: 'choice' });
    expect(sweepableParams('fine-tune').find((p) => p.name === 'schedule')!.options).toEqual(['linear', 'cosine', 'constant']);
    expect(Object.fromEntries(sweepableParams('lora').map((p) => [p.name, p.kind]))).toMatchObject({ rank: 'integer', merge: 'boolean' });
    expect(sweepableParams('lora').map((p) => p.name)).not.toContain('targetModules');
    expect(sweepableParams('no-such-type')).toEqual([]);
  });

  it('expands two params row-major, applying each point to the swept node only', () => {
    const { doc, ids } = pipelineGraph();
    const spec = { nodeId: ids.ft, params: [{ name: 'learningRate', values: [1e-3, 5e-4] }, { name: 'schedule', values: ['linear', 'cosine', 'constant'] }] };
    expect(sweepProblems(doc, spec)).toEqual([]);
    const points = expandGrid(doc, spec);
    expect(points.map((p) => p.values)).toEqual([
      { learningRate: 1e-3, schedule: 'linear' },
      { learningRate: 1e-3, schedule: 'cosine' },
      { learningRate: 1e-3, schedule: 'constant' },
      { learningRate: 5e-4, schedule: 'linear' },
      { learningRate: 5e-4, schedule: 'cosine' },
      { learningRate: 5e-4, schedule: 'constant' },
    ]);
    const ft = points[4].document.nodes.find((n) => n.id === ids.ft)!;
    expect(ft.params).toMatchObject({ learningRate: 5e-4, schedule: 'cosine' });
    // The base document is untouched and the other nodes are the same.
    expect(doc.nodes.find((n) => n.id === ids.ft)!.params).toEqual({});
    expect(points[4].document.nodes.filter((n) => n.id !== ids.ft)).toEqual(doc.nodes.filter((n) => n.id !== ids.ft));
  });

  it('marks the best run per metric, low for losses and high for scores, ties shared, failed runs ignored, nothing when all agree', () => {
    const row = (runId: string, status: string, values: Record<string, number>): SweepRow => ({ runId, values: {}, status, error: null, seconds: 1, scores: [{ nodeId: 'eval', name: 'eval', kind: 'classification', values, flags: [] }] });
    const columns = sweepColumns([row('a', 'done', { accuracy: 0.8, loss: 0.5 }), row('b', 'done', { accuracy: 0.9, loss: 0.4 }), row('c', 'done', { accuracy: 0.9, loss: 0.6 }), row('d', 'failed', { accuracy: 0.99, loss: 0.1 })]);
    expect(columns.map((c) => [c.key, c.lowerIsBetter, c.best])).toEqual([
      ['accuracy', false, ['b', 'c']],
      ['loss', true, ['b']],
    ]);
    expect(sweepColumns([row('a', 'done', { accuracy: 0.5 }), row('b', 'done', { accuracy: 0.5 })])[0].best).toEqual([]);
  });
});
