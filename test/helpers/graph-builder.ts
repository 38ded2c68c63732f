// Builds graph documents in code for tests: `const a = g.node('lora', { rank: 4 }); g.connect(a, 'model', b, 'model')`.
import { GRAPH_SCHEMA_VERSION, getNodeDefinition, type GraphDocument, type GraphNode } from '../../graph-nodes';

export interface GraphBuilder {
  /** Adds a node of `type` (current typeVersion) and returns its id. */
  node(type: string, params?: Record<string, unknown>, opts?: { id?: string; x?: number; y?: number }): string;
  /** Adds an edge from `source`.`sourcePort` to `target`.`targetPort`; returns the edge id. */
  connect(source: string, sourcePort: string, target: string, targetPort: string): string;
  build(): GraphDocument;
}

/** A fresh builder; ids are `prefix` + counter so two builders can make differently-named twins. */
export function graphBuilder(prefix = 'n'): GraphBuilder {
  const nodes: GraphNode[] = [];
  const edges: GraphDocument['edges'] = [];
  let counter = 0;
  return {
    node(type, params = {}, opts = {}) {
      const id = opts.id ?? `${prefix}${++counter}`;
      nodes.push({ id, type, typeVersion: getNodeDefinition(type)?.typeVersion ?? 1, params, position: { x: opts.x ?? counter * 200, y: opts.y ?? 0 } });
      return id;
    },
    connect(source, sourcePort, target, targetPort) {
      const id = `e-${source}-${sourcePort}-${target}-${targetPort}`;
      edges.push({ id, source, sourcePort, target, targetPort });
      return id;
    },
    build: () => ({ schemaVersion: GRAPH_SCHEMA_VERSION, nodes: structuredClone(nodes), edges: structuredClone(edges) }),
  };
}

/** The standard adaptation pipeline used across tests: data → split; pretrained → dapt → freeze → lora → head → fine-tune → eval. */
export function pipelineGraph(prefix = 'n', fineTuneParams: Record<string, unknown> = {}) {
  const g = graphBuilder(prefix);
  const data = g.node('dataset-bundled', { dataset: 'spam-assassin', maxExamples: 300 });
  const split = g.node('split', {});
  const corpus = g.node('corpus-bundled', { corpus: 'spam-assassin-emails', maxDocuments: 200 });
  const model = g.node('pretrained-load', {});
  const dapt = g.node('dapt', { maxSteps: 10 });
  const freeze = g.node('freeze', { freezeToLayer: 0 });
  const lora = g.node('lora', { rank: 4 });
  const head = g.node('head', {});
  const ft = g.node('fine-tune', fineTuneParams);
  const ev = g.node('eval', {});
  g.connect(data, 'dataset', split, 'dataset');
  g.connect(model, 'model', dapt, 'model');
  g.connect(corpus, 'corpus', dapt, 'corpus');
  g.connect(dapt, 'model', freeze, 'model');
  g.connect(freeze, 'model', lora, 'model');
  g.connect(lora, 'model', head, 'model');
  g.connect(split, 'dataset', head, 'dataset');
  g.connect(head, 'model', ft, 'model');
  g.connect(split, 'dataset', ft, 'dataset');
  g.connect(ft, 'model', ev, 'model');
  g.connect(split, 'dataset', ev, 'dataset');
  return { doc: g.build(), ids: { data, split, corpus, model, dapt, freeze, lora, head, ft, ev } };
}
