// The difference between two graph documents: nodes added, removed and modified (each changed param
// old → new, type/version/label changes, moves), edges added and removed. Pure; browser and server use it.
import type { GraphDocument, GraphEdge, GraphNode } from '../../graph-nodes/graph-document';

/** One changed field of a node: a param (`param` set) or the node's type, typeVersion or label. */
export interface FieldChange {
  /** `params.<name>` for a param, else `type`, `typeVersion` or `label`. */
  field: string;
  param?: string;
  before: unknown;
  after: unknown;
}

export interface NodeChange {
  nodeId: string;
  type: string;
  label?: string;
  changes: FieldChange[];
  /** Only the position changed (drawn differently: nothing a run would notice). */
  movedOnly: boolean;
}

export interface GraphDiff {
  nodesAdded: GraphNode[];
  nodesRemoved: GraphNode[];
  nodesModified: NodeChange[];
  edgesAdded: GraphEdge[];
  edgesRemoved: GraphEdge[];
  /** True when the two documents would run the same (positions aside). */
  same: boolean;
}

/** Canonical JSON (sorted keys) so that `{a,b}` and `{b,a}` compare equal. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'undefined';
}

/** Edges are the same edge when they join the same ports, whatever their ids. */
const edgeKey = (e: GraphEdge) => `${e.source}\u0000${e.sourcePort}\u0000${e.target}\u0000${e.targetPort}`;

/** Field-level changes of one node between two versions. */
export function nodeChanges(before: GraphNode, after: GraphNode): FieldChange[] {
  const changes: FieldChange[] = [];
  for (const field of ['type', 'typeVersion', 'label'] as const) {
    if (canonical(before[field]) !== canonical(after[field])) changes.push({ field, before: before[field], after: after[field] });
  }
  const names = [...new Set([...Object.keys(before.params ?? {}), ...Object.keys(after.params ?? {})])].sort();
  for (const name of names) {
    const a = before.params?.[name];
    const b = after.params?.[name];
    if (canonical(a) !== canonical(b)) changes.push({ field: `params.${name}`, param: name, before: a, after: b });
  }
  return changes;
}

/** What changed from `before` to `after`; nodes are matched by id, edges by their endpoints. */
export function diffGraphs(before: GraphDocument, after: GraphDocument): GraphDiff {
  const oldNodes = new Map(before.nodes.map((n) => [n.id, n]));
  const newNodes = new Map(after.nodes.map((n) => [n.id, n]));
  const nodesAdded = after.nodes.filter((n) => !oldNodes.has(n.id));
  const nodesRemoved = before.nodes.filter((n) => !newNodes.has(n.id));
  const nodesModified: NodeChange[] = [];
  for (const node of after.nodes) {
    const old = oldNodes.get(node.id);
    if (!old) continue;
    const changes = nodeChanges(old, node);
    const moved = old.position.x !== node.position.x || old.position.y !== node.position.y;
    if (changes.length || moved) nodesModified.push({ nodeId: node.id, type: node.type, label: node.label, changes, movedOnly: changes.length === 0 });
  }
  const oldEdges = new Map(before.edges.map((e) => [edgeKey(e), e]));
  const newEdges = new Map(after.edges.map((e) => [edgeKey(e), e]));
  const edgesAdded = [...newEdges].filter(([k]) => !oldEdges.has(k)).map(([, e]) => e);
  const edgesRemoved = [...oldEdges].filter(([k]) => !newEdges.has(k)).map(([, e]) => e);
  const same = !nodesAdded.length && !nodesRemoved.length && nodesModified.every((m) => m.movedOnly) && !edgesAdded.length && !edgesRemoved.length;
  return { nodesAdded, nodesRemoved, nodesModified, edgesAdded, edgesRemoved, same };
}
