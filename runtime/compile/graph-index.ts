// Lookups over a graph document that validation, planning and cache keys share.
import type { GraphDocument, GraphEdge, GraphNode } from '../../graph-nodes';

/** Nodes by id and edges by endpoint, built once per document. */
export interface GraphIndex {
  nodes: Map<string, GraphNode>;
  incoming: Map<string, GraphEdge[]>;
  outgoing: Map<string, GraphEdge[]>;
}

/** Indexes a document; on duplicate node ids the first one wins (validation reports the rest). */
export function indexGraph(doc: Pick<GraphDocument, 'nodes' | 'edges'>): GraphIndex {
  const nodes = new Map<string, GraphNode>();
  const incoming = new Map<string, GraphEdge[]>();
  const outgoing = new Map<string, GraphEdge[]>();
  for (const node of doc.nodes) {
    if (!nodes.has(node.id)) nodes.set(node.id, node);
    incoming.set(node.id, []);
    outgoing.set(node.id, []);
  }
  for (const edge of doc.edges) {
    if (!nodes.has(edge.source) || !nodes.has(edge.target)) continue;
    outgoing.get(edge.source)!.push(edge);
    incoming.get(edge.target)!.push(edge);
  }
  return { nodes, incoming, outgoing };
}

/** Every cycle a depth-first walk closes (one per back edge), each as node ids with the first repeated at the end. Iterative DFS. */
export function findCycles(index: GraphIndex): string[][] {
  const state = new Map<string, 0 | 1 | 2>(); // 0 new, 1 on stack, 2 done
  const cycles: string[][] = [];
  for (const start of index.nodes.keys()) {
    if (state.get(start)) continue;
    const stack: { id: string; next: number }[] = [{ id: start, next: 0 }];
    const path: string[] = [start];
    state.set(start, 1);
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      const edges = index.outgoing.get(top.id)!;
      if (top.next < edges.length) {
        const target = edges[top.next++].target;
        const s = state.get(target) ?? 0;
        if (s === 0) {
          state.set(target, 1);
          stack.push({ id: target, next: 0 });
          path.push(target);
        } else if (s === 1) {
          cycles.push([...path.slice(path.indexOf(target)), target]);
        }
      } else {
        state.set(top.id, 2);
        stack.pop();
        path.pop();
      }
    }
  }
  return cycles;
}
