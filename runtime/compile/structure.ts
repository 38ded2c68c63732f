// The structural (zod) parse of a graph document, a chunk of nodes or edges per step, so a
// 5,000-node document is parsed in slices; same result and issue paths as graphDocumentSchema.
import { z } from 'zod';
import { graphDocumentSchema, graphEdgeSchema, graphNodeSchema, type GraphDocument } from '../../graph-nodes';
import type { Steps } from './slices';

/** A structural problem: the zod path from the document root and its message. */
export interface StructureIssue {
  path: PropertyKey[];
  message: string;
}

/** Most nodes and edges a document may have (the same bounds as graphDocumentSchema). */
export const MAX_NODES = 5000;
export const MAX_EDGES = 20000;

const NODE_CHUNK = 250;
const EDGE_CHUNK = 1000;
const nodeList = z.array(graphNodeSchema);
const edgeList = z.array(graphEdgeSchema);

/** Parses a document as graphDocumentSchema would, yielding between chunks. */
export function* parseDocumentSteps(doc: unknown): Steps<{ document: GraphDocument; issues: [] } | { document: null; issues: StructureIssue[] }> {
  const { nodes, edges } = (typeof doc === 'object' && doc !== null ? doc : {}) as { nodes?: unknown; edges?: unknown };
  if (!Array.isArray(nodes) || !Array.isArray(edges)) {
    // Not even the right shape: the whole-schema parse is cheap and names what is missing.
    const whole = graphDocumentSchema.safeParse(doc);
    if (whole.success) return { document: whole.data, issues: [] };
    return { document: null, issues: whole.error.issues.map((i) => ({ path: i.path, message: i.message })) };
  }
  // Counted before anything is parsed.
  if (nodes.length > MAX_NODES) return { document: null, issues: [{ path: ['nodes'], message: `the graph has ${nodes.length} nodes; the limit is ${MAX_NODES}` }] };
  if (edges.length > MAX_EDGES) return { document: null, issues: [{ path: ['edges'], message: `the graph has ${edges.length} edges; the limit is ${MAX_EDGES}` }] };
  const issues: StructureIssue[] = [];
  const envelope = graphDocumentSchema.safeParse({ ...(doc as object), nodes: nodes.slice(0, 0), edges: edges.slice(0, 0) });
  if (!envelope.success) issues.push(...envelope.error.issues.map((i) => ({ path: i.path, message: i.message })));
  const parsedNodes: GraphDocument['nodes'] = [];
  const parsedEdges: GraphDocument['edges'] = [];
  for (const [key, list, schema, size, out] of [
    ['nodes', nodes, nodeList, NODE_CHUNK, parsedNodes],
    ['edges', edges, edgeList, EDGE_CHUNK, parsedEdges],
  ] as const) {
    for (let start = 0; start < list.length; start += size) {
      const chunk = schema.safeParse(list.slice(start, start + size));
      if (chunk.success) (out as unknown[]).push(...(chunk.data as unknown[]));
      else for (const i of chunk.error.issues) issues.push({ path: [key, (i.path[0] as number) + start, ...i.path.slice(1)], message: i.message });
      yield;
    }
  }
  if (issues.length > 0 || !envelope.success) return { document: null, issues };
  return { document: { ...envelope.data, nodes: parsedNodes, edges: parsedEdges }, issues: [] };
}
