import { describe, expect, it } from 'vitest';
import { diffGraphs } from '../../../runtime/compile/graph-diff';
import { pipelineGraph } from '../../helpers/graph-builder';

describe('graph diff', () => {
  it('reports nothing between a graph and a key-reordered copy of itself', () => {
    const { doc } = pipelineGraph();
    const copy = JSON.parse(JSON.stringify(doc));
    for (const n of copy.nodes) n.params = Object.fromEntries(Object.entries(n.params).reverse());
    expect(diffGraphs(doc, copy)).toEqual({ nodesAdded: [], nodesRemoved: [], nodesModified: [], edgesAdded: [], edgesRemoved: [], same: true });
  });

  it('lists each changed param with old → new, added and removed nodes, and edges by endpoints', () => {
    const { doc: before } = pipelineGraph();
    const after = structuredClone(before);
    const ft = after.nodes.find((n) => n.type === 'fine-tune')!;
    const oldLr = ft.params.learningRate;
    ft.params.learningRate = 3e-4;
    ft.params.epochs = 7;
    const removed = after.nodes.find((n) => n.type === 'eval')!;
    after.nodes = after.nodes.filter((n) => n !== removed);
    after.edges = after.edges.filter((e) => e.target !== removed.id && e.source !== removed.id);
    after.nodes.push({ id: 'extra', type: 'eval', typeVersion: removed.typeVersion, params: {}, position: { x: 1, y: 2 } });
    after.edges.push({ id: 'new-edge', source: ft.id, sourcePort: 'model', target: 'extra', targetPort: 'model' });
    // An edge whose id changed but joins the same ports is the same edge.
    after.edges[0] = { ...after.edges[0], id: 'renamed' };
    after.nodes[0].position = { x: 999, y: 999 };

    const d = diffGraphs(before, after);
    expect(d.same).toBe(false);
    expect(d.nodesAdded.map((n) => n.id)).toEqual(['extra']);
    expect(d.nodesRemoved.map((n) => n.id)).toEqual([removed.id]);
    const ftChange = d.nodesModified.find((m) => m.nodeId === ft.id)!;
    expect(ftChange.changes).toEqual([
      { field: 'params.epochs', param: 'epochs', before: before.nodes.find((n) => n.id === ft.id)!.params.epochs, after: 7 },
      { field: 'params.learningRate', param: 'learningRate', before: oldLr, after: 3e-4 },
    ]);
    expect(d.nodesModified.find((m) => m.nodeId === after.nodes[0].id)).toMatchObject({ movedOnly: true, changes: [] });
    expect(d.edgesAdded.map((e) => e.id)).toEqual(['new-edge']);
    expect(d.edgesRemoved.map((e) => e.target)).toEqual(expect.arrayContaining([removed.id]));
    expect(d.edgesRemoved.every((e) => e.target === removed.id || e.source === removed.id)).toBe(true);
  });

  it('reports type version and label changes, and a param that was unset', () => {
    const { doc: before } = pipelineGraph();
    const after = structuredClone(before);
    after.nodes[1].label = 'My split';
    after.nodes[1].params.brandNew = 5;
    const d = diffGraphs(before, after);
    expect(d.nodesModified[0].changes).toEqual([
      { field: 'label', before: undefined, after: 'My split' },
      { field: 'params.brandNew', param: 'brandNew', before: undefined, after: 5 },
    ]);
  });
});
