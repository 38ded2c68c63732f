// Colours for a version diff on the canvas: added green, removed red, changed amber, moved grey.
import type { Edge } from '@xyflow/react';
import type { CSSProperties } from 'react';
import type { GraphDocument } from '../../graph-nodes';
import type { GraphDiff } from '../../runtime/compile/graph-diff';

export const DIFF_COLOR = { added: '#16a34a', removed: '#dc2626', modified: '#d97706', moved: '#a3a3a3' } as const;

/** The drawing of a diff: the newer document plus the removed nodes (at their old place), with styles. */
export function diffDrawing(after: GraphDocument, diff: GraphDiff) {
  const document: GraphDocument = { ...after, nodes: [...after.nodes, ...diff.nodesRemoved] };
  const ring = (color: string, dashed = false): CSSProperties => ({ outline: `3px ${dashed ? 'dashed' : 'solid'} ${color}`, outlineOffset: 2, borderRadius: 10, opacity: dashed ? 0.6 : 1 });
  const nodeStyle: Record<string, CSSProperties> = {};
  for (const n of diff.nodesAdded) nodeStyle[n.id] = ring(DIFF_COLOR.added);
  for (const n of diff.nodesRemoved) nodeStyle[n.id] = ring(DIFF_COLOR.removed, true);
  for (const m of diff.nodesModified) nodeStyle[m.nodeId] = ring(m.movedOnly ? DIFF_COLOR.moved : DIFF_COLOR.modified);
  const edgeStyle: Record<string, CSSProperties> = {};
  for (const e of diff.edgesAdded) edgeStyle[e.id] = { stroke: DIFF_COLOR.added, strokeWidth: 3 };
  const extraEdges: Edge[] = diff.edgesRemoved.map((e) => ({
    id: `removed:${e.id}`,
    source: e.source,
    sourceHandle: e.sourcePort,
    target: e.target,
    targetHandle: e.targetPort,
    style: { stroke: DIFF_COLOR.removed, strokeDasharray: '6 4', strokeWidth: 3 },
  }));
  return { document, nodeStyle, edgeStyle, extraEdges };
}

/** A param value in a list line. */
export function showValue(v: unknown): string {
  if (v === undefined) return '(unset)';
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > 80 ? `${s.slice(0, 77)}…` : s;
}
