// Lookups over a graph document that validation, planning and cache keys share.
import type { GraphDocument, GraphEdge, GraphNode } from '../../graph-nodes';
import { runSteps, type Steps } from './slices';

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

/** Most cycles findCycles lists; past this a graph is reported as having "more cycles". */
export const MAX_CYCLES_LISTED = 10;

/**
 * Cycles a depth-first walk closes (one per back edge), each as node ids with the first repeated at
 * the end; at most `limit` are listed and `more` counts the rest. Iterative DFS with the position of
 * every node on the current path kept in a map, so the walk is O(nodes + edges) and only listed
 * cycles cost their length (a 5,000-node chain with 15,000 back edges once took seconds here).
 */
export function findCycles(index: GraphIndex, limit = MAX_CYCLES_LISTED): string[][] & { more?: number } {
  return runSteps(findCyclesSteps(index, limit));
}

/** findCycles as steps (yields every few thousand edges), for validation in slices. */
export function* findCyclesSteps(index: GraphIndex, limit = MAX_CYCLES_LISTED): Steps<string[][] & { more?: number }> {
  let work = 0;
  const state = new Map<string, 0 | 1 | 2>(); // 0 new, 1 on stack, 2 done
  const cycles: string[][] & { more?: number } = [];
  let more = 0;
  const path: string[] = [];
  const onPath = new Map<string, number>(); // node id → its position in `path`
  for (const start of index.nodes.keys()) {
    if (state.get(start)) continue;
    const stack: { id: string; next: number }[] = [{ id: start, next: 0 }];
    path.push(start);
    onPath.set(start, 0);
    state.set(start, 1);
    while (stack.length > 0) {
      if (++work % 4096 === 0) yield;
      const top = stack[stack.length - 1];
      const edges = index.outgoing.get(top.id)!;
      if (top.next < edges.length) {
        const target = edges[top.next++].target;
        const s = state.get(target) ?? 0;
        if (s === 0) {
          state.set(target, 1);
          stack.push({ id: target, next: 0 });
          onPath.set(target, path.length);
          path.push(target);
        } else if (s === 1) {
          if (cycles.length < limit) cycles.push([...path.slice(onPath.get(target)!), target]);
          else more++;
        }
      } else {
        state.set(top.id, 2);
        stack.pop();
        onPath.delete(path.pop()!);
      }
    }
  }
  if (more > 0) cycles.more = more;
  return cycles;
}
