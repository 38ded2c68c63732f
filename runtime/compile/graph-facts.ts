// What the compiler can know about each node's output before anything runs: model size and what
// trains, dataset size, labels and splits. Feeds the default resolver and the pre-run checks.
// Browser-safe: facts that need the disk (model configs, uploaded files) come from `FactSources`.
import type { GraphDocument, GraphEdge, GraphNode } from '../../graph-nodes';
import { getNodeDefinition } from '../../graph-nodes';
import { BUNDLED_DATASETS } from '../data/bundled-sizes';
import { indexGraph, type GraphIndex } from './graph-index';
import { resolveNodeParams } from './params';

/** Encoder shape as read from a model's config.json. */
export interface ModelShape {
  layers: number;
  hidden: number;
  maxPositions: number;
}

/** What an uploaded file holds, read on the server (runtime/data/upload-preview.ts). */
export interface UploadFacts {
  filename: string;
  /** From the file name: what the bytes look like. */
  kind: 'csv' | 'tsv' | 'jsonl' | 'txt';
  /** CSV header cells, or the union of JSONL keys seen; empty for TXT. */
  columns: string[];
  /** Data rows (CSV rows after the header, JSONL records, TXT documents). */
  rows: number;
  /** Distinct values per column, up to a cap (only for columns with few values). */
  distinct?: Record<string, number>;
}

/** Lookups the compiler cannot do itself; every one may answer undefined (unknown). */
export interface FactSources {
  /** Shape of the model a pretrained-load node reads. */
  modelShape?(params: { source: string; modelId: string; folderPath: string }): ModelShape | undefined;
  /** What an uploaded file holds; `error` when it cannot be read. */
  upload?(fileId: string): UploadFacts | { error: string } | undefined;
}

/** What trains in a model: everything, LoRA adapters (+ head), only the head, or a frozen part. */
export type Trainable = 'full' | 'lora' | 'head-only' | 'partial';

/** Static knowledge about a Model output. */
export interface ModelFacts {
  shape?: ModelShape;
  /** Name shown in reasons ("tunegraph-bert-small"). */
  name: string;
  pretrained: boolean;
  trainable: Trainable;
  head?: { task: 'sequence-classification' | 'token-classification'; numLabels?: number; pooling?: string };
  /** LoRA adapters the model carries: none, unmerged ones, ones the next training stage merges, or
   * merged ones (gone as adapters). Unknown (absent) for a model read from a folder, which may hold some. */
  lora?: 'none' | 'adapters' | 'merge-after-training' | 'merged';
}

/** Static knowledge about a Dataset output; counts are estimates where a split rounds. */
export interface DatasetFacts {
  task?: 'sequence' | 'token';
  examples?: number;
  numLabels?: number;
  /** null: no splits (train is the whole dataset, test and validation do not exist). */
  splits: null | { train?: number; validation?: number; test?: number };
  /** Where the rows come from, for messages ("reviews.csv"). */
  source: string;
}

/** Static knowledge about a Corpus output. */
export interface CorpusFacts {
  documents?: number;
  source: string;
}

/** Facts of one node's outputs, by output port. */
export type NodeFacts = { model?: ModelFacts; dataset?: DatasetFacts; corpus?: CorpusFacts };

/** Parsed params and facts of every node the analysis could understand. */
export interface GraphFacts {
  index: GraphIndex;
  /** Params with defaults applied, for nodes whose params are valid. */
  params: Map<string, Record<string, unknown>>;
  outputs: Map<string, NodeFacts>;
  /** Facts arriving at an input port of a node (the first edge's). */
  input(nodeId: string, port: string): NodeFacts[keyof NodeFacts] | undefined;
  sources: FactSources;
}

/** Analyses a structurally valid document (cycles are tolerated: a node on one gets no facts). */
export function graphFacts(doc: Pick<GraphDocument, 'nodes' | 'edges'>, sources: FactSources = {}): GraphFacts {
  const index = indexGraph(doc);
  const params = new Map<string, Record<string, unknown>>();
  for (const node of index.nodes.values()) {
    const def = getNodeDefinition(node.type);
    if (!def || node.typeVersion !== def.typeVersion) continue;
    const resolved = resolveNodeParams(def, node.id, node.params);
    if (resolved.params) params.set(node.id, resolved.params);
  }
  const outputs = new Map<string, NodeFacts>();
  const visiting = new Set<string>();
  const firstEdge = (nodeId: string, port: string): GraphEdge | undefined => index.incoming.get(nodeId)?.find((e) => e.targetPort === port);

  function factsOf(nodeId: string): NodeFacts {
    const known = outputs.get(nodeId);
    if (known) return known;
    if (visiting.has(nodeId)) return {};
    visiting.add(nodeId);
    const node = index.nodes.get(nodeId);
    const p = params.get(nodeId);
    const facts = node && p ? nodeFacts(node, p, (port) => inputFacts(nodeId, port), sources) : {};
    visiting.delete(nodeId);
    outputs.set(nodeId, facts);
    return facts;
  }
  function inputFacts(nodeId: string, port: string): NodeFacts[keyof NodeFacts] | undefined {
    const edge = firstEdge(nodeId, port);
    if (!edge) return undefined;
    return factsOf(edge.source)[edge.sourcePort as keyof NodeFacts];
  }
  // Upstream first (Kahn), so factsOf never recurses more than one level: on a 5,000-node chain the
  // recursion overflowed the stack. Nodes on or below a cycle get no facts.
  const waiting = new Map<string, number>();
  for (const [id, edges] of index.incoming) waiting.set(id, edges.length);
  const ready = [...index.nodes.keys()].filter((id) => waiting.get(id) === 0);
  const order: string[] = [];
  while (ready.length > 0) {
    const id = ready.pop()!;
    order.push(id);
    for (const e of index.outgoing.get(id) ?? []) {
      const left = waiting.get(e.target)! - 1;
      waiting.set(e.target, left);
      if (left === 0) ready.push(e.target);
    }
  }
  if (order.length < index.nodes.size) for (const id of index.nodes.keys()) if (waiting.get(id)! > 0) outputs.set(id, {});
  for (const id of order) factsOf(id);
  return { index, params, outputs, input: inputFacts, sources };
}

type InputOf = (port: string) => NodeFacts[keyof NodeFacts] | undefined;

function nodeFacts(node: GraphNode, p: Record<string, unknown>, input: InputOf, sources: FactSources): NodeFacts {
  const model = () => input('model') as ModelFacts | undefined;
  switch (node.type) {
    case 'pretrained-load': {
      const shape = sources.modelShape?.({ source: String(p.source), modelId: String(p.modelId), folderPath: String(p.folderPath) });
      const name = p.source === 'bundled' ? String(p.modelId) : String(p.folderPath) || 'local model';
      // A bundled model has no adapters; a local or Hub folder may bring a PEFT adapter with it.
      return { model: { shape, name, pretrained: !p.randomInit, trainable: 'full', lora: p.source === 'bundled' ? 'none' : undefined } };
    }
    case 'freeze': {
      const m = model();
      return m ? { model: { ...m, trainable: m.trainable === 'full' ? 'partial' : m.trainable } } : {};
    }
    case 'lora': {
      const m = model();
      return m ? { model: { ...m, trainable: 'lora', lora: p.merge ? 'merge-after-training' : 'adapters' } } : {};
    }
    case 'head': {
      const m = model();
      if (!m) return {};
      const data = input('dataset') as DatasetFacts | undefined;
      const numLabels = (p.numLabels as number) > 0 ? (p.numLabels as number) : data?.numLabels;
      const trainable: Trainable = p.featureExtraction ? 'head-only' : m.trainable;
      return { model: { ...m, trainable, head: { task: p.task as 'sequence-classification' | 'token-classification', numLabels, pooling: String(p.pooling) } } };
    }
    case 'dapt': {
      const m = model();
      return m ? { model: m } : {};
    }
    case 'fine-tune': {
      const m = model();
      // Fine-tuning merges adapters whose LoRA node asked for it once training ends.
      return m ? { model: { ...m, lora: m.lora === 'merge-after-training' ? 'merged' : m.lora } } : {};
    }
    case 'distill': {
      const m = input('teacher') as ModelFacts | undefined;
      if (!m) return {};
      const layers = Math.min(p.studentLayers as number, m.shape?.layers ?? Infinity);
      // The student is cut from the teacher with its adapters merged in: it has none of its own.
      return { model: { ...m, shape: m.shape ? { ...m.shape, layers } : undefined, trainable: 'full', name: `${m.name} student`, lora: 'none' } };
    }
    case 'dataset-bundled': {
      const info = BUNDLED_DATASETS[p.dataset as keyof typeof BUNDLED_DATASETS];
      const cap = p.maxExamples as number;
      return { dataset: { task: info.task, examples: cap > 0 ? Math.min(cap, info.examples) : info.examples, numLabels: info.labels, splits: null, source: `bundled ${p.dataset}` } };
    }
    case 'dataset-upload': {
      const up = sources.upload?.(String(p.fileId));
      const file = up && !('error' in up) ? up : undefined;
      const examples = file?.rows;
      const numLabels = p.task === 'sequence' ? file?.distinct?.[String(p.labelColumn)] : undefined;
      const role = p.role as 'unsplit' | 'train' | 'test';
      const splits = role === 'unsplit' ? null : role === 'train' ? { train: examples, validation: 0, test: 0 } : { train: 0, validation: 0, test: examples };
      return { dataset: { task: p.task as 'sequence' | 'token', examples, numLabels, splits, source: file?.filename ?? 'the uploaded file' } };
    }
    case 'split': {
      const d = input('dataset') as DatasetFacts | undefined;
      if (!d) return {};
      const n = d.examples;
      const part = (ratio: number) => (n === undefined ? (ratio > 0 ? undefined : 0) : Math.round(n * ratio));
      let train = part(p.trainRatio as number);
      const maxTrain = p.maxTrainExamples as number;
      if (maxTrain > 0) train = train === undefined ? maxTrain : Math.min(train, maxTrain);
      return { dataset: { ...d, splits: { train, validation: part(p.validationRatio as number), test: part(p.testRatio as number) } } };
    }
    case 'corpus-bundled':
      return { corpus: { documents: (p.maxDocuments as number) || undefined, source: `bundled ${p.corpus}` } };
    case 'corpus-upload': {
      const up = sources.upload?.(String(p.fileId));
      const file = up && !('error' in up) ? up : undefined;
      return { corpus: { documents: file?.rows, source: file?.filename ?? 'the uploaded file' } };
    }
    default:
      return {};
  }
}

/** Examples the train split will hold: the split's count, or the whole dataset when unsplit. */
export function trainExamplesOf(d: DatasetFacts | undefined): number | undefined {
  if (!d) return undefined;
  return d.splits ? d.splits.train : d.examples;
}
