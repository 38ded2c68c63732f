// Converts the graph document (the truth) into React Flow's nodes and edges (a view of it).
import type { Edge } from '@xyflow/react';
import { getNodeDefinition, PORT_TYPE_COLOR, type GraphDocument } from '../../graph-nodes';
import type { CompileIssue } from '../../runtime/compile/issues';
import type { StageFlowNode } from './node-card';

export function toFlowNodes(doc: GraphDocument, selected: Set<string>, issuesByNode: Map<string, CompileIssue[]>): StageFlowNode[] {
  return doc.nodes.map((node) => ({
    id: node.id,
    type: 'stage',
    position: node.position,
    selected: selected.has(node.id),
    data: { node, def: getNodeDefinition(node.type), issues: issuesByNode.get(node.id) ?? [] },
  }));
}

export function toFlowEdges(doc: GraphDocument, selectedEdges: Set<string>): Edge[] {
  return doc.edges.map((e) => {
    const source = doc.nodes.find((n) => n.id === e.source);
    const portType = source ? getNodeDefinition(source.type)?.outputs[e.sourcePort]?.type : undefined;
    return {
      id: e.id,
      source: e.source,
      sourceHandle: e.sourcePort,
      target: e.target,
      targetHandle: e.targetPort,
      selected: selectedEdges.has(e.id),
      style: { stroke: portType ? PORT_TYPE_COLOR[portType] : '#999' },
    };
  });
}
