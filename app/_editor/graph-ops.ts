// Pure edits of a graph document that the editor performs (add, connect, delete, paste, params).
import { getNodeDefinition, type GraphDocument, type GraphEdge, type GraphNode } from '../../graph-nodes';

/** A fresh id for `type` that no node in the document has. */
export function newNodeId(doc: GraphDocument, type: string): string {
  const taken = new Set(doc.nodes.map((n) => n.id));
  for (let i = 1; ; i++) if (!taken.has(`${type}-${i}`)) return `${type}-${i}`;
}

export function edgeId(e: Omit<GraphEdge, 'id'>): string {
  return `${e.source}.${e.sourcePort}->${e.target}.${e.targetPort}`;
}

/** Adds a node of `type` with default params (written out, so the card shows them). */
export function addNode(doc: GraphDocument, type: string, position: { x: number; y: number }): { doc: GraphDocument; id: string } {
  const def = getNodeDefinition(type);
  if (!def) throw new Error(`unknown node type "${type}"`);
  const id = newNodeId(doc, type);
  const node: GraphNode = { id, type, typeVersion: def.typeVersion, params: def.params.parse({}) as Record<string, unknown>, position };
  return { doc: { ...doc, nodes: [...doc.nodes, node] }, id };
}

export function addEdge(doc: GraphDocument, e: Omit<GraphEdge, 'id'>): GraphDocument {
  const id = edgeId(e);
  if (doc.edges.some((x) => x.id === id)) return doc;
  return { ...doc, edges: [...doc.edges, { id, ...e }] };
}

/** Removes nodes (with their edges) and edges. */
export function removeItems(doc: GraphDocument, nodeIds: Set<string>, edgeIds: Set<string>): GraphDocument {
  return {
    ...doc,
    nodes: doc.nodes.filter((n) => !nodeIds.has(n.id)),
    edges: doc.edges.filter((e) => !edgeIds.has(e.id) && !nodeIds.has(e.source) && !nodeIds.has(e.target)),
  };
}

export function setParam(doc: GraphDocument, nodeId: string, param: string, value: unknown): GraphDocument {
  return {
    ...doc,
    nodes: doc.nodes.map((n) => {
      if (n.id !== nodeId) return n;
      const params = { ...n.params };
      if (value === undefined) delete params[param];
      else params[param] = value;
      return { ...n, params };
    }),
  };
}

export function setLabel(doc: GraphDocument, nodeId: string, label: string): GraphDocument {
  return { ...doc, nodes: doc.nodes.map((n) => (n.id === nodeId ? { ...n, label: label || undefined } : n)) };
}

export function moveNodes(doc: GraphDocument, positions: Map<string, { x: number; y: number }>): GraphDocument {
  return { ...doc, nodes: doc.nodes.map((n) => (positions.has(n.id) ? { ...n, position: positions.get(n.id)! } : n)) };
}

/** What copy puts on the clipboard: the selected nodes and the edges among them. */
export interface Clip {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

export function copySelection(doc: GraphDocument, selected: Set<string>): Clip {
  return {
    nodes: doc.nodes.filter((n) => selected.has(n.id)),
    edges: doc.edges.filter((e) => selected.has(e.source) && selected.has(e.target)),
  };
}

/** Pastes a clip with new ids, offset so it does not cover the originals; returns the new ids. */
export function paste(doc: GraphDocument, clip: Clip, offset = 40): { doc: GraphDocument; ids: string[] } {
  let next = doc;
  const rename = new Map<string, string>();
  for (const n of clip.nodes) {
    const id = newNodeId(next, n.type);
    rename.set(n.id, id);
    next = { ...next, nodes: [...next.nodes, { ...structuredClone(n), id, position: { x: n.position.x + offset, y: n.position.y + offset } }] };
  }
  for (const e of clip.edges) next = addEdge(next, { source: rename.get(e.source)!, sourcePort: e.sourcePort, target: rename.get(e.target)!, targetPort: e.targetPort });
  return { doc: next, ids: [...rename.values()] };
}
