// Rerun edits: applied to a copy, checked against node schemas in plain words, named in the version message.
import { describe, expect, it } from 'vitest';
import { applyParamChanges, formatParamValue, rerunMessage } from '../../../runtime/compile/param-changes';
import { paramDiff } from '../../../runtime/compile/param-diff';
import { pipelineGraph } from '../../helpers/graph-builder';

describe('applyParamChanges', () => {
  const { doc, ids } = pipelineGraph('n', { learningRate: 1e-3, epochs: 2 });

  it('changes a copy and reports each change with the value it replaced', () => {
    const { document, applied, issues } = applyParamChanges(doc, [{ nodeId: ids.ft, param: 'learningRate', value: 5e-4 }]);
    expect(issues).toEqual([]);
    expect(applied).toEqual([{ nodeId: ids.ft, param: 'learningRate', before: 1e-3, after: 5e-4 }]);
    expect(document.nodes.find((n) => n.id === ids.ft)?.params.learningRate).toBe(5e-4);
    expect(doc.nodes.find((n) => n.id === ids.ft)?.params.learningRate).toBe(1e-3);
  });

  it('drops edits that change nothing, and null sets a param back to its default', () => {
    expect(applyParamChanges(doc, [{ nodeId: ids.ft, param: 'epochs', value: 2 }]).applied).toEqual([]);
    expect(applyParamChanges(doc, [{ nodeId: ids.ft, param: 'epochs', value: 3 }, { nodeId: ids.ft, param: 'epochs', value: 2 }]).applied).toEqual([]);
    const reset = applyParamChanges(doc, [{ nodeId: ids.ft, param: 'epochs', value: null }]);
    expect(reset.applied).toEqual([{ nodeId: ids.ft, param: 'epochs', before: 2, after: undefined }]);
    expect('epochs' in reset.document.nodes.find((n) => n.id === ids.ft)!.params).toBe(false);
  });

  it('names the node and param of every problem in plain words', () => {
    const { issues } = applyParamChanges(doc, [
      { nodeId: ids.ft, param: 'learningRate', value: 2 },
      { nodeId: ids.ft, param: 'batchSize', value: 'big' },
      { nodeId: ids.lora, param: 'rnak', value: 4 },
      { nodeId: 'ghost', param: 'rank', value: 4 },
    ]);
    expect(issues.map((i) => `${i.nodeId}/${i.param}: ${i.message}`)).toEqual([
      expect.stringMatching(/^n7\/rnak: LoRA "n7" has no param "rnak" \(it has rank, /),
      'ghost/rank: the run has no node "ghost"',
      expect.stringMatching(/^n9\/learningRate: Learning rate must be .*got 2$/),
      'n9/batchSize: Batch size must be a number, got "big"',
    ]);
  });

  it('writes the version message with the run and each change', () => {
    const { applied } = applyParamChanges(doc, [{ nodeId: ids.ft, param: 'learningRate', value: 5e-4 }, { nodeId: ids.lora, param: 'rank', value: 8 }]);
    expect(rerunMessage('r_3f2a', applied)).toBe('Rerun of run r_3f2a: n9.learningRate 1e-3 → 5e-4, n7.rank 4 → 8');
    expect(formatParamValue(0.05)).toBe('0.05');
    expect(formatParamValue(2e-5)).toBe('2e-5');
    expect(formatParamValue(undefined)).toBe('(default)');
    expect(formatParamValue(['query', 'value'])).toBe('[query, value]');
  });
});

describe('paramDiff', () => {
  it('compares params with defaults applied, per node, and marks only real differences', () => {
    const a = pipelineGraph('n', { learningRate: 1e-3 }).doc;
    const b = pipelineGraph('n', { learningRate: 5e-4, batchSize: 16 }).doc; // 16 is fine-tune's default batch size
    const c = pipelineGraph('n', { learningRate: 1e-3, schedule: 'cosine' }).doc;
    const rows = paramDiff([a, b, c]);
    expect(rows.filter((r) => r.differs).map((r) => [r.nodeId, r.param, r.values])).toEqual([
      ['n9', 'learningRate', [1e-3, 5e-4, 1e-3]],
      ['n9', 'schedule', ['linear', 'linear', 'cosine']],
    ]);
    expect(rows.find((r) => r.param === 'batchSize' && r.nodeId === 'n9')).toMatchObject({ values: [16, 16, 16], differs: false });
    // Every schema param of every node has a row, in schema order.
    expect(rows.filter((r) => r.nodeId === 'n9').map((r) => r.param).slice(0, 3)).toEqual(['learningRate', 'epochs', 'batchSize']);
  });

  it('a node missing from one run is a difference on each of its params', () => {
    const a = pipelineGraph('n').doc;
    const b = { ...a, nodes: a.nodes.filter((n) => n.id !== 'n10'), edges: a.edges.filter((e) => e.target !== 'n10') };
    const rows = paramDiff([a, b]).filter((r) => r.nodeId === 'n10');
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.differs && r.absent[1] && !r.absent[0])).toBe(true);
  });
});
