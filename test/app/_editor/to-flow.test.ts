// The document ↔ React Flow view: handles are port ids, edges are coloured by port type.
import { describe, expect, it } from 'vitest';
import { emptyGraph, PORT_TYPE_COLOR } from '../../../graph-nodes';
import { addEdge, addNode } from '../../../app/_editor/graph-ops';
import { toFlowEdges, toFlowNodes } from '../../../app/_editor/to-flow';

describe('to-flow', () => {
  it('maps ports to handles and carries selection and issues', () => {
    let doc = emptyGraph();
    doc = addNode(doc, 'dataset-bundled', { x: 10, y: 20 }).doc;
    doc = addNode(doc, 'fine-tune', { x: 300, y: 20 }).doc;
    doc = addEdge(doc, { source: 'dataset-bundled-1', sourcePort: 'dataset', target: 'fine-tune-1', targetPort: 'dataset' });
    const issue = { kind: 'missing-input', nodeId: 'fine-tune-1', port: 'model', message: 'needs a model' } as never;
    const nodes = toFlowNodes(doc, new Set(['fine-tune-1']), new Map([['fine-tune-1', [issue]]]));
    expect(nodes.map((n) => [n.id, n.position, n.selected, n.data.issues.length])).toEqual([
      ['dataset-bundled-1', { x: 10, y: 20 }, false, 0],
      ['fine-tune-1', { x: 300, y: 20 }, true, 1],
    ]);
    expect(nodes[1].data.def?.type).toBe('fine-tune');
    const [edge] = toFlowEdges(doc, new Set());
    expect(edge).toMatchObject({ source: 'dataset-bundled-1', sourceHandle: 'dataset', target: 'fine-tune-1', targetHandle: 'dataset', selected: false });
    expect(edge.style?.stroke).toBe(PORT_TYPE_COLOR.Dataset);
  });
});
