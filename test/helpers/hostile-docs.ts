// Hostile graph documents from the issue-13 probes, built in code so every test uses the same ones.
import fc from 'fast-check';
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

/** Arbitrary graph-ish documents: right and wrong shapes, hostile ids, ports, params and sizes. */
const idArb = fc.oneof(fc.constantFrom('a', 'b', 'c', '__proto__', 'constructor', 'toString', ''), fc.string({ maxLength: 6 }));
const typeArb = fc.oneof(fc.constantFrom('split', 'pretrained-load', 'freeze', 'lora', 'head', 'fine-tune', 'eval', 'dataset-bundled', 'constructor'), fc.string({ maxLength: 8 }));
const portArb = fc.constantFrom('dataset', 'model', 'corpus', 'metrics', 'constructor', '__proto__', 'x');
const nodeArb = fc.record({
  id: idArb,
  type: typeArb,
  typeVersion: fc.oneof(fc.constant(1), fc.integer({ min: -2, max: 4 }), fc.double()),
  params: fc.oneof(fc.constant({}), fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 4 })),
  position: fc.oneof(fc.record({ x: fc.integer(), y: fc.integer() }), fc.constant(null)),
});
const edgeArb = fc.record({ id: idArb, source: idArb, sourcePort: portArb, target: idArb, targetPort: portArb });
export const graphDocumentArb = fc.oneof(
  fc.record({ schemaVersion: fc.constantFrom(1, 1, 2), nodes: fc.array(nodeArb, { maxLength: 12 }), edges: fc.array(edgeArb, { maxLength: 20 }) }),
  fc.jsonValue({ maxDepth: 4 }),
);
