'use client';
// A read-only drawing of a graph document (share links, version diffs): the editor's cards, no editing.
import { Background, ReactFlow, ReactFlowProvider, type Edge } from '@xyflow/react';
import type { CSSProperties } from 'react';
import type { GraphDocument } from '../../graph-nodes';
import { nodeTypes } from '../_editor/node-card';
import { toFlowEdges, toFlowNodes } from '../_editor/to-flow';

export interface GraphViewProps {
  document: GraphDocument;
  /** Extra wrapper style per node id (diff colours). */
  nodeStyle?: Record<string, CSSProperties>;
  /** Extra edges drawn as they are (removed edges in a diff). */
  extraEdges?: Edge[];
  /** Style per edge id. */
  edgeStyle?: Record<string, CSSProperties>;
  testId?: string;
}

export function GraphView({ document, nodeStyle = {}, extraEdges = [], edgeStyle = {}, testId = 'graph-view' }: GraphViewProps) {
  const nodes = toFlowNodes(document, new Set(), new Map()).map((n) => ({ ...n, draggable: false, connectable: false, selectable: false, style: nodeStyle[n.id] }));
  const edges = [...toFlowEdges(document, new Set()), ...extraEdges].map((e) => ({ ...e, style: { ...e.style, ...edgeStyle[e.id] } }));
  return (
    <div data-testid={testId} className="h-full min-h-[420px] w-full">
      <ReactFlowProvider>
        <ReactFlow nodes={nodes} edges={edges} nodeTypes={nodeTypes} fitView nodesDraggable={false} nodesConnectable={false} elementsSelectable={false} edgesFocusable={false} proOptions={{ hideAttribution: true }}>
          <Background />
        </ReactFlow>
      </ReactFlowProvider>
    </div>
  );
}
