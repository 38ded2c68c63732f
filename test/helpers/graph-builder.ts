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

/** Params per stage of the standard adaptation pipeline (any stage may be overridden). */
export type PipelineParams = Partial<Record<'data' | 'split' | 'corpus' | 'model' | 'dapt' | 'freeze' | 'lora' | 'head' | 'ft' | 'ev', Record<string, unknown>>>;

/** Adds data → split; pretrained → dapt → freeze → lora → head → fine-tune → eval to a builder; returns the node ids. */
export function addPipeline(g: GraphBuilder, p: PipelineParams = {}) {
  const data = g.node('dataset-bundled', p.data ?? {});
  const split = g.node('split', p.split ?? {});
  const corpus = g.node('corpus-bundled', p.corpus ?? {});
  const model = g.node('pretrained-load', p.model ?? {});
  const dapt = g.node('dapt', p.dapt ?? {});
  const freeze = g.node('freeze', p.freeze ?? {});
  const lora = g.node('lora', p.lora ?? {});
  const head = g.node('head', p.head ?? {});
  const ft = g.node('fine-tune', p.ft ?? {});
  const ev = g.node('eval', p.ev ?? {});
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
  return { data, split, corpus, model, dapt, freeze, lora, head, ft, ev };
}

/** The standard adaptation pipeline used across tests: data → split; pretrained → dapt → freeze → lora → head → fine-tune → eval. */
export function pipelineGraph(prefix = 'n', fineTuneParams: Record<string, unknown> = {}) {
  const g = graphBuilder(prefix);
  const ids = addPipeline(g, {
    data: { dataset: 'spam-assassin', maxExamples: 300 },
    corpus: { corpus: 'spam-assassin-emails', maxDocuments: 200 },
    dapt: { maxSteps: 10 },
    freeze: { freezeToLayer: 0 },
    lora: { rank: 4 },
    ft: fineTuneParams,
  });
  return { doc: g.build(), ids };
}
