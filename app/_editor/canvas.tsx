'use client';
// The React Flow canvas bound to the graph document: drop from the palette, connect with live
// legality checks, drag, select. The document stays the single truth; React Flow only draws it.
import {
  Background,
  MiniMap,
  ReactFlow,
  useNodesInitialized,
  useReactFlow,
  type Connection,
  type Edge,
  type EdgeChange,
  type IsValidConnection,
  type NodeChange,
} from '@xyflow/react';
import { useCallback, useEffect, useMemo, useRef, useState, type DragEvent } from 'react';
import { getNodeDefinition, type GraphDocument, type GraphNode } from '../../graph-nodes';
import type { CompileIssue } from '../../runtime/compile/issues';
import { isConnectionLegal } from '../../runtime/compile/validate';
import { CATEGORY_COLOR } from './category-style';
import { nodeTypes, type StageFlowNode } from './node-card';
import { DRAG_MIME } from './palette';
import { toFlowEdges } from './to-flow';
import { readableViewport } from './readable-fit';
import type { NodeRunState } from '../_lib/run-state';
import type { ExportZipView } from './export-download';

export interface CanvasProps {
  doc: GraphDocument;
  selectedNodes: Set<string>;
  selectedEdges: Set<string>;
  issuesByNode: Map<string, CompileIssue[]>;
  runNodes?: Record<string, NodeRunState>;
  staleNodes?: Set<string>;
  /** Export zips of the run on screen, by node id. */
  downloads?: Record<string, ExportZipView>;
  /** What "auto" params resolve to, by node id. */
  resolved?: Record<string, Record<string, { value: number; reason: string }>>;
  onSelect: (nodes: Set<string>, edges: Set<string>) => void;
  onDropNode: (type: string, position: { x: number; y: number }) => void;
  onConnect: (c: { source: string; sourcePort: string; target: string; targetPort: string }) => void;
  onRefused: (reason: string) => void;
  onDragStart: () => void;
  onDragMove: (positions: Map<string, { x: number; y: number }>) => void;
  onDragEnd: () => void;
}

/** Resolved values arrive as new objects on every check; a card redraws only when a value changed. */
function sameResolved(a: Record<string, { value: number }> | undefined, b: Record<string, { value: number }> | undefined): boolean {
  if (a === b) return true;
  if (!a || !b) return false;
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => b[k]?.value === a[k].value);
}

export function Canvas(props: CanvasProps) {
  const { doc, selectedNodes, selectedEdges, issuesByNode } = props;
  const flow = useReactFlow();
  // Fit once, when the cards of a graph that opened with nodes have been measured; fitting an empty
  // canvas would re-fit (and move the view) on the first drop.
  const [fitOnMount] = useState(() => doc.nodes.length > 0);
  const initialised = useNodesInitialized();
  const fitted = useRef(false);
  const fit = useReadableFit();
  useEffect(() => {
    if (fitOnMount && initialised && !fitted.current) {
      fitted.current = true;
      fit(false);
    }
  }, [fitOnMount, initialised, fit]);
  const measured = useRef(new Map<string, { width: number; height: number }>());
  // Reuse flow-node objects while their inputs are unchanged, so React Flow keeps its measurements.
  type Cached = { src: GraphNode; selected: boolean; issues: CompileIssue[] | undefined; run: NodeRunState | undefined; stale: boolean; download: ExportZipView | undefined; resolved: Record<string, { value: number; reason: string }> | undefined; flow: StageFlowNode };
  const cache = useRef(new Map<string, Cached>());
  const { runNodes, staleNodes, downloads, resolved: resolvedAll } = props;

  const nodes = useMemo(() => {
    const next = new Map<string, Cached>();
    const out = doc.nodes.map((node) => {
      const selected = selectedNodes.has(node.id);
      const issues = issuesByNode.get(node.id);
      const run = runNodes?.[node.id];
      const stale = staleNodes?.has(node.id) ?? false;
      const download = downloads?.[node.id];
      const resolved = resolvedAll?.[node.id];
      const hit = cache.current.get(node.id);
      if (hit && hit.src === node && hit.selected === selected && hit.issues === issues && hit.run === run && hit.stale === stale && hit.download === download && sameResolved(hit.resolved, resolved)) {
        next.set(node.id, hit);
        return hit.flow;
      }
      const flowNode: StageFlowNode = {
        id: node.id,
        type: 'stage',
        position: node.position,
        selected,
        measured: measured.current.get(node.id),
        data: { node, def: getNodeDefinition(node.type), issues: issues ?? [], run, stale, download, resolved },
      };
      next.set(node.id, { src: node, selected, issues, run, stale, download, resolved, flow: flowNode });
      return flowNode;
    });
    cache.current = next;
    return out;
  }, [doc.nodes, selectedNodes, issuesByNode, runNodes, staleNodes, downloads, resolvedAll]);
  const edges = useMemo(() => toFlowEdges(doc, selectedEdges), [doc, selectedEdges]);

  // Callbacks read the latest props through a ref, so React Flow sees stable handlers.
  const propsRef = useRef(props);
  propsRef.current = props;
  const docRef = useRef(doc);
  docRef.current = doc;
  const selectionRef = useRef({ nodes: selectedNodes, edges: selectedEdges });
  selectionRef.current = { nodes: selectedNodes, edges: selectedEdges };

  const onNodesChange = useCallback(
    (changes: NodeChange<StageFlowNode>[]) => {
      const moved = new Map<string, { x: number; y: number }>();
      let selection: Set<string> | null = null;
      for (const c of changes) {
        if (c.type === 'dimensions' && c.dimensions) {
          measured.current.set(c.id, c.dimensions);
          cache.current.delete(c.id);
        } else if (c.type === 'position' && c.position) moved.set(c.id, c.position);
        else if (c.type === 'select') {
          selection ??= new Set(selectionRef.current.nodes);
          if (c.selected) selection.add(c.id);
          else selection.delete(c.id);
        }
      }
      if (moved.size > 0) propsRef.current.onDragMove(moved);
      if (selection) propsRef.current.onSelect(selection, selectionRef.current.edges);
    },
    [],
  );

  const onEdgesChange = useCallback(
    (changes: EdgeChange<Edge>[]) => {
      let selection: Set<string> | null = null;
      for (const c of changes) {
        if (c.type === 'select') {
          selection ??= new Set(selectionRef.current.edges);
          if (c.selected) selection.add(c.id);
          else selection.delete(c.id);
        }
      }
      if (selection) propsRef.current.onSelect(selectionRef.current.nodes, selection);
    },
    [],
  );

  const isValidConnection: IsValidConnection = useCallback(
    (c) => {
      const verdict = isConnectionLegal(docRef.current, { source: c.source, sourcePort: c.sourceHandle ?? '', target: c.target, targetPort: c.targetHandle ?? '' });
      if (!verdict.ok) queueMicrotask(() => propsRef.current.onRefused(verdict.reason));
      return verdict.ok;
    },
    [],
  );

  const onConnect = useCallback(
    (c: Connection) => propsRef.current.onConnect({ source: c.source, sourcePort: c.sourceHandle ?? '', target: c.target, targetPort: c.targetHandle ?? '' }),
    [],
  );

  const onDrop = useCallback(
    (e: DragEvent) => {
      const type = e.dataTransfer.getData(DRAG_MIME);
      if (!type) return;
      e.preventDefault();
      const p = flow.screenToFlowPosition({ x: e.clientX, y: e.clientY });
      propsRef.current.onDropNode(type, { x: Math.round(p.x - 110), y: Math.round(p.y - 30) });
    },
    [flow],
  );

  return (
    <div className="relative h-full w-full" data-testid="canvas" onDragOver={(e) => { e.preventDefault(); e.dataTransfer.dropEffect = 'move'; }} onDrop={onDrop}>
      <ReactFlow
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={onConnect}
        isValidConnection={isValidConnection}
        onNodeDragStart={() => propsRef.current.onDragStart()}
        onNodeDragStop={() => propsRef.current.onDragEnd()}
        deleteKeyCode={null}
        multiSelectionKeyCode={['Shift', 'Meta', 'Control']}
        selectionKeyCode="Shift"
        minZoom={0.1}
        proOptions={{ hideAttribution: true }}
      >
        <Background gap={20} size={1} color="#e5e5e5" />
      </ReactFlow>
    </div>
  );
}

/** Sets the view the editor opens on (see readable-fit.ts); also the toolbar's Fit and the F key. */
export function useReadableFit() {
  const flow = useReactFlow();
  return useCallback(
    (animate = true) => {
      const pane = document.querySelector('[data-testid="canvas"]')?.getBoundingClientRect();
      const nodes = flow.getNodes();
      if (!pane || nodes.length === 0) return;
      const viewport = readableViewport(flow.getNodesBounds(nodes), { width: pane.width, height: pane.height });
      void flow.setViewport(viewport, animate ? { duration: 200 } : undefined);
    },
    [flow],
  );
}

/** The overview map, drawn outside the canvas (under the palette) so it never covers a node. */
export function OverviewMap() {
  return (
    <div className="relative h-36 shrink-0 border-t border-neutral-200 bg-neutral-50" data-testid="overview-map">
      <MiniMap
        pannable
        zoomable
        position="top-left"
        style={{ margin: 0, width: 239, height: 143 }}
        // Outside the React Flow wrapper its CSS variables are not in scope; colours are given here.
        bgColor="#fafafa"
        maskColor="rgba(224, 231, 255, 0.55)"
        maskStrokeColor="#4f46e5"
        maskStrokeWidth={1.5}
        nodeColor={(n) => {
          const d = getNodeDefinition((n as StageFlowNode).data.node.type);
          return d ? CATEGORY_COLOR[d.category] : '#999';
        }}
      />
    </div>
  );
}
