// Builds a report graph node by node, with one call per classification pipeline (head → fine-tune → eval).
import { GRAPH_SCHEMA_VERSION, getNodeDefinition, type GraphDocument } from '../../graph-nodes';

/** How one classifier is trained and scored: what it starts from and what its head and training use. */
export interface PipelineSpec {
  /** Suffix of its node ids ("full" → head-full, ft-full, eval-full). */
  id: string;
  /** Name in the tables. */
  name: string;
  /** Node whose `model` output it starts from. */
  from: string;
  /** Split node whose dataset it trains and is scored on. */
  split: string;
  head?: Record<string, unknown>;
  fineTune: Record<string, unknown>;
}

export class GraphBuilder {
  private readonly nodes: GraphDocument['nodes'] = [];
  private readonly edges: GraphDocument['edges'] = [];

  node(id: string, type: string, params: Record<string, unknown> = {}): string {
    const def = getNodeDefinition(type);
    if (!def) throw new Error(`report graph: unknown node type "${type}"`);
    if (!this.nodes.some((n) => n.id === id)) this.nodes.push({ id, type, typeVersion: def.typeVersion, params, position: { x: 0, y: 0 } });
    return id;
  }

  link(source: string, sourcePort: string, target: string, targetPort: string): void {
    const id = `${source}.${sourcePort}->${target}.${targetPort}`;
    if (!this.edges.some((e) => e.id === id)) this.edges.push({ id, source, sourcePort, target, targetPort });
  }

  /** head → fine-tune → eval on the test split; returns the node ids that make the pipeline. */
  classifier(p: PipelineSpec, evalName = p.name): { head: string; fineTune: string; eval: string } {
    const head = this.node(`head-${p.id}`, 'head', { task: 'sequence-classification', ...p.head });
    const fineTune = this.node(`ft-${p.id}`, 'fine-tune', p.fineTune);
    const evalId = this.node(`eval-${p.id}`, 'eval', { split: 'test', name: evalName, batchSize: 64 });
    this.link(p.from, 'model', head, 'model');
    this.link(p.split, 'dataset', head, 'dataset');
    this.link(head, 'model', fineTune, 'model');
    this.link(p.split, 'dataset', fineTune, 'dataset');
    this.link(fineTune, 'model', evalId, 'model');
    this.link(p.split, 'dataset', evalId, 'dataset');
    return { head, fineTune, eval: evalId };
  }

  /** TF-IDF + logistic regression trained on a split node's train part, scored on its test part. */
  baseline(id: string, split: string, name: string): string {
    this.node(id, 'baseline-tfidf', { split: 'test', name });
    this.link(split, 'dataset', id, 'dataset');
    return id;
  }

  document(): GraphDocument {
    return { schemaVersion: GRAPH_SCHEMA_VERSION, nodes: [...this.nodes], edges: [...this.edges] };
  }
}
