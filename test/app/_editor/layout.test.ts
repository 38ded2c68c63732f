// Auto-layout: left to right along the edges, with no two cards overlapping.
import { describe, expect, it } from 'vitest';
import { emptyGraph } from '../../../graph-nodes';
import { addEdge, addNode } from '../../../app/_editor/graph-ops';
import { autoLayout } from '../../../app/_editor/layout';

function graph() {
  let doc = emptyGraph();
  // Added in reverse order and stacked, so a correct layout has to move them.
  for (const type of ['eval', 'fine-tune', 'head', 'dataset-bundled', 'pretrained-load']) doc = addNode(doc, type, { x: 0, y: 0 }).doc;
  doc = addEdge(doc, { source: 'pretrained-load-1', sourcePort: 'model', target: 'head-1', targetPort: 'model' });
  doc = addEdge(doc, { source: 'head-1', sourcePort: 'model', target: 'fine-tune-1', targetPort: 'model' });
  doc = addEdge(doc, { source: 'dataset-bundled-1', sourcePort: 'dataset', target: 'fine-tune-1', targetPort: 'dataset' });
  doc = addEdge(doc, { source: 'fine-tune-1', sourcePort: 'model', target: 'eval-1', targetPort: 'model' });
  return doc;
}

function overlaps(a: { x: number; y: number; w: number; h: number }, b: { x: number; y: number; w: number; h: number }) {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

describe('autoLayout', () => {
  it('places every edge source left of its target', () => {
    const doc = graph();
    const pos = autoLayout(doc);
    expect(pos.size).toBe(5);
    for (const e of doc.edges) expect(pos.get(e.source)!.x).toBeLessThan(pos.get(e.target)!.x);
  });

  it('uses measured card sizes so tall cards do not overlap', () => {
    const doc = graph();
    const sizes = new Map(doc.nodes.map((n) => [n.id, { width: 224, height: n.type === 'pretrained-load' || n.type === 'dataset-bundled' ? 400 : 120 }]));
    const pos = autoLayout(doc, sizes);
    const boxes = doc.nodes.map((n) => ({ id: n.id, x: pos.get(n.id)!.x, y: pos.get(n.id)!.y, w: sizes.get(n.id)!.width, h: sizes.get(n.id)!.height }));
    for (const a of boxes) for (const b of boxes) if (a.id < b.id) expect(overlaps(a, b), `${a.id} overlaps ${b.id}`).toBe(false);
  });

  it('falls back to a default size for unmeasured cards', () => {
    const doc = graph();
    const pos = autoLayout(doc, new Map([['head-1', undefined], ['eval-1', { width: 0, height: 0 }]]));
    expect([...pos.values()].every((p) => Number.isFinite(p.x) && Number.isFinite(p.y))).toBe(true);
  });
});
