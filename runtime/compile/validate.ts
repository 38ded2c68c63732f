// Graph validation: every problem as data ({ kind, nodeId, port?, param?, message }), never just the first.
// Browser-safe: the editor runs this live on every change.
// Linear in nodes + edges: every lookup goes through a Map built once (graph-index.ts), sizes are
// checked before any parsing, and the issue list is capped so a hostile document cannot make a
// megabyte answer.
import { getNodeDefinition, type GraphDocument, type NodeDefinition } from '../../graph-nodes';
import { findCyclesSteps, indexGraph } from './graph-index';
import { runGraphChecks } from './checks';
import type { FactSources } from './graph-facts';
import type { CompileIssue } from './issues';
import { paramPath, resolveNodeParams } from './params';
import { runSteps, runStepsInSlices, type Steps } from './slices';
import { parseDocumentSteps } from './structure';

export { MAX_EDGES, MAX_NODES } from './structure';
/** Most issues returned; the last one then says how many were left out. */
export const MAX_ISSUES = 500;
/** Cycle paths longer than this are shown with their middle elided. */
const CYCLE_SHOWN = 12;

/** Ids that name built-in properties of every JavaScript object; a map keyed by them misbehaves. */
const RESERVED_IDS = new Set(Object.getOwnPropertyNames(Object.prototype));

/** Why an id cannot be used, or null (`__proto__`, `constructor` … are reserved). */
export function reservedIdProblem(id: string): string | null {
  return RESERVED_IDS.has(id) ? `"${id}" is a reserved name (a built-in JavaScript property); choose another id` : null;
}

/** All problems in a graph document; an empty list means it compiles. `sources` (server side)
 * lets the data checks read model configs and uploaded files. */
export function validateGraph(doc: unknown, sources?: FactSources): CompileIssue[] {
  return runSteps(validationSteps(doc, sources));
}

/** validateGraph for the server: the same checks, in slices that never hold the event loop long. */
export function validateGraphInSlices(doc: unknown, sources?: FactSources): Promise<CompileIssue[]> {
  return runStepsInSlices(validationSteps(doc, sources));
}

/** How often the loops below offer to yield (the slice driver decides by time whether to). */
const STEP = 256;

function* validationSteps(doc: unknown, sources?: FactSources): Steps<CompileIssue[]> {
  const structural = yield* parseDocumentSteps(doc);
  if (!structural.document) {
    return capIssues(
      structural.issues.map((i) => {
        const path = paramPath(i.path);
        const nodeId = nodeIdAtPath(doc, i.path);
        return { kind: 'bad-document', nodeId, message: `${path || 'document'}: ${i.message}` };
      }),
    );
  }
  const graph = structural.document;
  const issues: CompileIssue[] = [];
  const definitions = new Map<string, NodeDefinition>();
  let work = 0;

  const seenNodes = new Set<string>();
  for (const node of graph.nodes) {
    if (++work % STEP === 0) yield;
    const reserved = reservedIdProblem(node.id);
    if (reserved) {
      issues.push({ kind: 'bad-document', nodeId: node.id, message: `node id ${reserved}` });
      continue;
    }
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
    if (++work % STEP === 0) yield;
    const reserved = reservedIdProblem(edge.id);
    if (reserved) issues.push({ kind: 'bad-document', edgeId: edge.id, nodeId: edge.target, message: `edge id ${reserved}` });
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
    const out = sourceDef && ownPort(sourceDef.outputs, edge.sourcePort);
    const inp = targetDef && ownPort(targetDef.inputs, edge.targetPort);
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
    if (++work % STEP === 0) yield;
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

  const cycles = yield* findCyclesSteps(index);
  for (const cycle of cycles) {
    // Blame the first node of the cycle so the editor marks one place, and list the loop.
    issues.push({ kind: 'cycle', nodeId: cycle[0], message: `cycle: ${cyclePath(cycle)}` });
  }
  if (cycles.more) issues.push({ kind: 'cycle', nodeId: cycles[0][0], message: `and ${cycles.more} more edges that close a cycle` });
  issues.push(...runGraphChecks(graph, sources));
  return capIssues(issues);
}

/** The loop as `a → b → c → a`, with the middle of a long one elided. */
function cyclePath(cycle: string[]): string {
  if (cycle.length <= CYCLE_SHOWN) return cycle.join(' → ');
  const head = cycle.slice(0, CYCLE_SHOWN - 2);
  return `${head.join(' → ')} → … (${cycle.length - CYCLE_SHOWN} more) … → ${cycle.slice(-2).join(' → ')}`;
}

/** At most MAX_ISSUES issues, in document order; every kind keeps its first few, so thousands of one
 * kind cannot hide the only cycle. */
function capIssues(issues: CompileIssue[]): CompileIssue[] {
  if (issues.length <= MAX_ISSUES) return issues;
  const keep = new Set<number>();
  const perKind = new Map<string, number>();
  issues.forEach((issue, i) => {
    const n = perKind.get(issue.kind) ?? 0;
    if (n < 20) keep.add(i);
    perKind.set(issue.kind, n + 1);
  });
  for (let i = 0; i < issues.length && keep.size < MAX_ISSUES - 1; i++) keep.add(i);
  const kept = issues.filter((_, i) => keep.has(i)).slice(0, MAX_ISSUES - 1);
  kept.push({ kind: 'bad-document', message: `and ${issues.length - kept.length} more problems` });
  return kept;
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
  const sourceDef = source && getNodeDefinition(source.type);
  const targetDef = target && getNodeDefinition(target.type);
  const out = sourceDef && ownPort(sourceDef.outputs, c.sourcePort);
  const inp = targetDef && ownPort(targetDef.inputs, c.targetPort);
  if (!out) return { ok: false, reason: `no output "${c.sourcePort}" on that node` };
  if (!inp) return { ok: false, reason: `no input "${c.targetPort}" on that node` };
  if (out.type !== inp.type) return { ok: false, reason: `${out.type} cannot connect to ${inp.type}: input "${c.targetPort}" takes ${inp.type}` };
  const into = doc.edges.filter((e) => e.target === c.target && e.targetPort === c.targetPort);
  if (!inp.multiple && into.length > 0) return { ok: false, reason: `input "${c.targetPort}" is already connected` };
  if (into.some((e) => e.source === c.source && e.sourcePort === c.sourcePort)) return { ok: false, reason: 'those ports are already connected' };
  if (reaches(doc, c.target, c.source)) return { ok: false, reason: 'that connection would make a cycle' };
  return { ok: true };
}

/** A port of a definition by name; only its own ports (a port named `constructor` is not one). */
function ownPort<P>(ports: Record<string, P>, name: string): P | undefined {
  return Object.hasOwn(ports, name) ? ports[name] : undefined;
}

function reaches(doc: Pick<GraphDocument, 'edges'>, from: string, to: string): boolean {
  const outgoing = new Map<string, string[]>();
  for (const e of doc.edges) {
    const list = outgoing.get(e.source);
    if (list) list.push(e.target);
    else outgoing.set(e.source, [e.target]);
  }
  const seen = new Set<string>([from]);
  const stack = [from];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (id === to) return true;
    for (const target of outgoing.get(id) ?? []) {
      if (!seen.has(target)) {
        seen.add(target);
        stack.push(target);
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
