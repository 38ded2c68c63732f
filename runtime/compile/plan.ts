// Planning: which nodes a run needs, in an order where every input is ready before its consumer.
import type { GraphDocument } from '../../graph-nodes';
import { indexGraph } from './graph-index';

/** Topological order (Kahn, ties broken by document order) of the targets and their ancestors;
 * all nodes when no targets are given. Assumes a validated, acyclic graph. */
export function planRun(doc: Pick<GraphDocument, 'nodes' | 'edges'>, targets?: readonly string[]): string[] {
  const index = indexGraph(doc);
  const needed = new Set<string>();
  const stack = targets && targets.length > 0 ? [...targets] : [...index.nodes.keys()];
  for (const t of stack) if (!index.nodes.has(t)) throw new Error(`planRun: no node "${t}" in the graph`);
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (needed.has(id)) continue;
    needed.add(id);
    for (const e of index.incoming.get(id)!) stack.push(e.source);
  }
  const position = new Map<string, number>();
  doc.nodes.forEach((n, i) => position.has(n.id) || position.set(n.id, i));
  const remaining = new Map<string, number>();
  for (const id of needed) remaining.set(id, index.incoming.get(id)!.filter((e) => needed.has(e.source)).length);
  const ready = [...needed].filter((id) => remaining.get(id) === 0).sort((a, b) => position.get(a)! - position.get(b)!);
  const order: string[] = [];
  while (ready.length > 0) {
    const id = ready.shift()!;
    order.push(id);
    const released: string[] = [];
    for (const e of index.outgoing.get(id)!) {
      if (!needed.has(e.target)) continue;
      const left = remaining.get(e.target)! - 1;
      remaining.set(e.target, left);
      if (left === 0) released.push(e.target);
    }
    for (const r of released) {
      // Insert keeping document order among ready nodes, so plans are stable across saves.
      const at = ready.findIndex((x) => position.get(x)! > position.get(r)!);
      if (at < 0) ready.push(r);
      else ready.splice(at, 0, r);
    }
  }
  if (order.length !== needed.size) throw new Error('planRun: the graph has a cycle');
  return order;
}

/** Ids of the nodes downstream of `nodeId` (not including it). */
export function descendantsOf(doc: Pick<GraphDocument, 'nodes' | 'edges'>, nodeId: string): Set<string> {
  const index = indexGraph(doc);
  const out = new Set<string>();
  const stack = [nodeId];
  while (stack.length > 0) {
    for (const e of index.outgoing.get(stack.pop()!) ?? []) {
      if (!out.has(e.target)) {
        out.add(e.target);
        stack.push(e.target);
      }
    }
  }
  return out;
}
