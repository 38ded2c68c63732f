// Hostile graph documents from the issue-13 probes, built in code so every test uses the same ones.
import { GRAPH_SCHEMA_VERSION, type GraphDocument } from '../../graph-nodes';

/** 5,000 Split nodes in a chain plus 15,000 back edges (each node i feeds nodes i-1, i-2, i-3): the save that froze the server for 17–26 s. */
export function chainWithBackEdges(nodes = 5000, backPerNode = 3): GraphDocument {
  const doc: GraphDocument = { schemaVersion: GRAPH_SCHEMA_VERSION, nodes: [], edges: [] };
  for (let i = 0; i < nodes; i++) doc.nodes.push({ id: `s${i}`, type: 'split', typeVersion: 1, params: {}, position: { x: i * 10, y: 0 } });
  for (let i = 1; i < nodes; i++) doc.edges.push({ id: `c${i}`, source: `s${i - 1}`, sourcePort: 'dataset', target: `s${i}`, targetPort: 'dataset' });
  for (let i = 0; i < nodes && doc.edges.length < nodes - 1 + nodes * backPerNode; i++) {
    for (let k = 1; k <= backPerNode; k++) {
      const target = (i - k + nodes) % nodes;
      doc.edges.push({ id: `b${i}-${k}`, source: `s${i}`, sourcePort: 'dataset', target: `s${target}`, targetPort: 'dataset' });
    }
  }
  return doc;
}
