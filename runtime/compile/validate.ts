// Graph validation: every problem as data ({ kind, nodeId, port?, param?, message }), never just the first.
// Browser-safe: the editor runs this live on every change.
import { getNodeDefinition, graphDocumentSchema, type GraphDocument, type NodeDefinition } from '../../graph-nodes';
import { findCycles, indexGraph } from './graph-index';
import type { CompileIssue } from './issues';
import { paramPath, resolveNodeParams } from './params';

/** All problems in a graph document; an empty list means it compiles. */
export function validateGraph(doc: unknown): CompileIssue[] {
  const structural = graphDocumentSchema.safeParse(doc);
  if (!structural.success) {
    return structural.error.issues.map((i) => {
      const path = paramPath(i.path);
      const nodeId = nodeIdAtPath(doc, i.path);
      return { kind: 'bad-document', nodeId, message: `${path || 'document'}: ${i.message}` };
    });
  }
  const graph = structural.data;
  const issues: CompileIssue[] = [];
  const definitions = new Map<string, NodeDefinition>();

  const seenNodes = new Set<string>();
  for (const node of graph.nodes) {
    if (seenNodes.has(node.id)) {
      issues.push({ kind: 'duplicate-id', nodeId: node.id, message: `node id "${node.id}" is used by more than one node` });
      continue;
    }
    seenNodes.add(node.id);
    const def = getNodeDefinition(node.type);
    if (!def) {
      issues.push({ kind: 'unknown-type', nodeId: node.id, message: `unknown node type "${node.type}"` });
      continue;
    }
    definitions.set(node.id, def);
    if (node.typeVersion > def.typeVersion) {
      issues.push({
        kind: 'unknown-type',
        nodeId: node.id,
        message: `"${node.type}" version ${node.typeVersion} is newer than this Tunegraph knows (${def.typeVersion})`,
      });
      continue;
    }
    if (node.typeVersion < def.typeVersion) {
      issues.push({ kind: 'bad-document', nodeId: node.id, message: `"${node.type}" is at version ${node.typeVersion}; migrate the graph to version ${def.typeVersion}` });
      continue;
    }
    issues.push(...resolveNodeParams(def, node.id, node.params).issues);
  }

  const seenEdges = new Set<string>();
  // A repeated source port → target port pair would feed a `multiple` input the same value twice.
  const seenLinks = new Map<string, string>();
  const index = indexGraph(graph);
  for (const edge of graph.edges) {
    if (seenEdges.has(edge.id)) {
      issues.push({ kind: 'duplicate-id', edgeId: edge.id, nodeId: edge.target, message: `edge id "${edge.id}" is used by more than one edge` });
    }
    seenEdges.add(edge.id);
    const link = `${edge.source}\u0000${edge.sourcePort}\u0000${edge.target}\u0000${edge.targetPort}`;
    const twin = seenLinks.get(link);
    if (twin !== undefined && twin !== edge.id) {
      issues.push({ kind: 'duplicate-edge', edgeId: edge.id, nodeId: edge.target, port: edge.targetPort, message: `edge "${edge.id}" repeats edge "${twin}" (${edge.source}.${edge.sourcePort} → ${edge.target}.${edge.targetPort})` });
      continue;
    }
    seenLinks.set(link, edge.id);
    const sourceNode = index.nodes.get(edge.source);
    const targetNode = index.nodes.get(edge.target);
    if (!sourceNode || !targetNode) {
      const missing = !sourceNode ? edge.source : edge.target;
      issues.push({
        kind: 'dangling-edge',
        edgeId: edge.id,
        nodeId: sourceNode ? edge.source : targetNode ? edge.target : undefined,
        message: `edge "${edge.id}" points at node "${missing}", which does not exist`,
      });
      continue;
    }
    const sourceDef = definitions.get(edge.source);
    const targetDef = definitions.get(edge.target);
    const out = sourceDef?.outputs[edge.sourcePort];
    const inp = targetDef?.inputs[edge.targetPort];
    if (sourceDef && !out) {
      issues.push({ kind: 'unknown-port', nodeId: edge.source, edgeId: edge.id, port: edge.sourcePort, message: `${sourceDef.title} has no output "${edge.sourcePort}"` });
    }
    if (targetDef && !inp) {
      issues.push({ kind: 'unknown-port', nodeId: edge.target, edgeId: edge.id, port: edge.targetPort, message: `${targetDef.title} has no input "${edge.targetPort}"` });
    }
    if (out && inp && out.type !== inp.type) {
      issues.push({
        kind: 'port-type-mismatch',
        nodeId: edge.target,
        edgeId: edge.id,
        port: edge.targetPort,
        message: `input "${edge.targetPort}" takes ${inp.type}, but "${edge.source}".${edge.sourcePort} gives ${out.type}`,
      });
    }
  }

  for (const [nodeId, def] of definitions) {
    const edges = index.incoming.get(nodeId) ?? [];
    for (const [port, spec] of Object.entries(def.inputs)) {
      const count = edges.filter((e) => e.targetPort === port).length;
      if (count === 0 && !spec.optional) {
        issues.push({ kind: 'missing-input', nodeId, port, message: `input "${port}" (${spec.type}) is not connected` });
      }
      if (count > 1 && !spec.multiple) {
        issues.push({ kind: 'too-many-inputs', nodeId, port, message: `input "${port}" takes one ${spec.type}, but ${count} edges lead into it` });
      }
    }
    for (const group of def.requireOneOf ?? []) {
      if (!edges.some((e) => group.includes(e.targetPort))) {
        issues.push({ kind: 'missing-input', nodeId, port: group[0], message: `connect one of: ${group.join(', ')}` });
      }
    }
  }

  for (const cycle of findCycles(index)) {
    // Blame the first node of the cycle so the editor marks one place, and list the loop.
    issues.push({ kind: 'cycle', nodeId: cycle[0], message: `cycle: ${cycle.join(' → ')}` });
  }
  return issues;
}

/** Result of asking whether a new edge may be drawn. */
export type ConnectionVerdict = { ok: true } | { ok: false; reason: string };

/** Whether the editor may add an edge; the reason names both port types when it may not. */
export function isConnectionLegal(
  doc: Pick<GraphDocument, 'nodes' | 'edges'>,
  c: { source: string; sourcePort: string; target: string; targetPort: string },
): ConnectionVerdict {
  if (c.source === c.target) return { ok: false, reason: 'a node cannot feed itself' };
  const source = doc.nodes.find((n) => n.id === c.source);
  const target = doc.nodes.find((n) => n.id === c.target);
  const out = source && getNodeDefinition(source.type)?.outputs[c.sourcePort];
  const inp = target && getNodeDefinition(target.type)?.inputs[c.targetPort];
  if (!out) return { ok: false, reason: `no output "${c.sourcePort}" on that node` };
  if (!inp) return { ok: false, reason: `no input "${c.targetPort}" on that node` };
  if (out.type !== inp.type) return { ok: false, reason: `${out.type} cannot connect to ${inp.type}: input "${c.targetPort}" takes ${inp.type}` };
  const into = doc.edges.filter((e) => e.target === c.target && e.targetPort === c.targetPort);
  if (!inp.multiple && into.length > 0) return { ok: false, reason: `input "${c.targetPort}" is already connected` };
  if (into.some((e) => e.source === c.source && e.sourcePort === c.sourcePort)) return { ok: false, reason: 'those ports are already connected' };
  if (reaches(doc, c.target, c.source)) return { ok: false, reason: 'that connection would make a cycle' };
  return { ok: true };
}

function reaches(doc: Pick<GraphDocument, 'edges'>, from: string, to: string): boolean {
  const seen = new Set<string>([from]);
  const queue = [from];
  while (queue.length > 0) {
    const id = queue.shift()!;
    if (id === to) return true;
    for (const e of doc.edges) {
      if (e.source === id && !seen.has(e.target)) {
        seen.add(e.target);
        queue.push(e.target);
      }
    }
  }
  return false;
}

function nodeIdAtPath(doc: unknown, path: readonly PropertyKey[]): string | undefined {
  if (path[0] !== 'nodes' || typeof path[1] !== 'number') return undefined;
  const node = (doc as { nodes?: unknown[] })?.nodes?.[path[1]] as { id?: unknown } | undefined;
  return typeof node?.id === 'string' ? node.id : undefined;
}
