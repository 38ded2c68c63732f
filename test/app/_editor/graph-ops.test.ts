// Pure document edits behind the editor: add, connect, delete, copy/paste, params, labels.
import { describe, expect, it } from 'vitest';
import { emptyGraph, getNodeDefinition } from '../../../graph-nodes';
import { validateGraph } from '../../../runtime/compile/validate';
import { addEdge, addNode, copySelection, newNodeId, paste, removeItems, setLabel, setParam } from '../../../app/_editor/graph-ops';

function chain() {
  let doc = emptyGraph();
  doc = addNode(doc, 'pretrained-load', { x: 0, y: 0 }).doc;
  doc = addNode(doc, 'lora', { x: 300, y: 0 }).doc;
  doc = addNode(doc, 'head', { x: 600, y: 0 }).doc;
  doc = addEdge(doc, { source: 'pretrained-load-1', sourcePort: 'model', target: 'lora-1', targetPort: 'model' });
  doc = addEdge(doc, { source: 'lora-1', sourcePort: 'model', target: 'head-1', targetPort: 'model' });
  return doc;
}

describe('graph ops', () => {
  it('adds nodes with fresh ids, the type version and every default param written out', () => {
    const doc = chain();
    expect(doc.nodes.map((n) => n.id)).toEqual(['pretrained-load-1', 'lora-1', 'head-1']);
    const lora = doc.nodes[1];
    expect(lora.typeVersion).toBe(getNodeDefinition('lora')!.typeVersion);
    expect(lora.params).toEqual(getNodeDefinition('lora')!.params.parse({}));
    expect(newNodeId(doc, 'lora')).toBe('lora-2');
    expect(() => addNode(doc, 'quantum', { x: 0, y: 0 })).toThrow(/unknown node type "quantum"/);
  });

  it('does not add the same edge twice', () => {
    const doc = chain();
    expect(addEdge(doc, { source: 'lora-1', sourcePort: 'model', target: 'head-1', targetPort: 'model' })).toBe(doc);
    expect(doc.edges).toHaveLength(2);
  });

  it('deleting a node removes the edges that touch it', () => {
    const doc = removeItems(chain(), new Set(['lora-1']), new Set());
    expect(doc.nodes.map((n) => n.id)).toEqual(['pretrained-load-1', 'head-1']);
    expect(doc.edges).toEqual([]);
    const edgeOnly = removeItems(chain(), new Set(), new Set([chain().edges[0].id]));
    expect(edgeOnly.nodes).toHaveLength(3);
    expect(edgeOnly.edges.map((e) => e.source)).toEqual(['lora-1']);
  });

  it('pastes a copy with new ids, offset, keeping only the edges inside the selection', () => {
    const doc = setParam(chain(), 'lora-1', 'rank', 4);
    const clip = copySelection(doc, new Set(['lora-1', 'head-1']));
    expect(clip.edges).toHaveLength(1);
    const { doc: next, ids } = paste(doc, clip);
    expect(ids).toEqual(['lora-2', 'head-2']);
    const lora2 = next.nodes.find((n) => n.id === 'lora-2')!;
    expect(lora2.position).toEqual({ x: 340, y: 40 });
    expect(lora2.params.rank).toBe(4);
    expect(next.edges.filter((e) => ids.includes(e.source) || ids.includes(e.target))).toEqual([
      { id: 'lora-2.model->head-2.model', source: 'lora-2', sourcePort: 'model', target: 'head-2', targetPort: 'model' },
    ]);
    // The copy is deep: editing the pasted node leaves the original alone.
    (lora2.params.targetModules as string[]).push('key');
    expect(doc.nodes.find((n) => n.id === 'lora-1')!.params.targetModules).not.toContain('key');
  });

  it('sets and clears params and labels without touching other nodes', () => {
    const doc = chain();
    const edited = setParam(doc, 'lora-1', 'rank', 0);
    expect(validateGraph(edited).some((i) => i.nodeId === 'lora-1' && i.param === 'rank')).toBe(true);
    expect(edited.nodes[0]).toBe(doc.nodes[0]);
    expect('rank' in setParam(edited, 'lora-1', 'rank', undefined).nodes[1].params).toBe(false);
    expect(setLabel(doc, 'head-1', 'Spam head').nodes[2].label).toBe('Spam head');
    expect(setLabel(setLabel(doc, 'head-1', 'x'), 'head-1', '').nodes[2].label).toBeUndefined();
  });
});
