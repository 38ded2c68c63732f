// Auto-layout, left to right, with dagre.
import dagre from '@dagrejs/dagre';
import type { GraphDocument } from '../../graph-nodes';

/** Card size assumed for nodes the canvas has not measured yet. */
const NODE_WIDTH = 230;
const NODE_HEIGHT = 130;

/**
 * Node positions laid out as a layered left→right graph. `sizes` holds the cards' measured sizes:
 * cards differ in height (ports and params), and a fixed size lets tall cards overlap.
 */
export function autoLayout(doc: GraphDocument, sizes?: ReadonlyMap<string, { width: number; height: number } | undefined>): Map<string, { x: number; y: number }> {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: 'LR', nodesep: 30, ranksep: 60, marginx: 20, marginy: 20 });
  g.setDefaultEdgeLabel(() => ({}));
  const sizeOf = (id: string) => {
    const s = sizes?.get(id);
    return s && s.width > 0 && s.height > 0 ? s : { width: NODE_WIDTH, height: NODE_HEIGHT };
  };
  for (const n of doc.nodes) g.setNode(n.id, { ...sizeOf(n.id) });
  for (const e of doc.edges) if (g.hasNode(e.source) && g.hasNode(e.target)) g.setEdge(e.source, e.target);
  dagre.layout(g);
  const out = new Map<string, { x: number; y: number }>();
  for (const n of doc.nodes) {
    // dagre gives centres; React Flow positions are top-left corners.
    const p = g.node(n.id);
    const { width, height } = sizeOf(n.id);
    out.set(n.id, { x: Math.round(p.x - width / 2), y: Math.round(p.y - height / 2) });
  }
  return out;
}
