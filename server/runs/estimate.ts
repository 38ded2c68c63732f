// Memory and time estimates for a run's training stages, before it is queued: from the model's
// config (followed upstream to its pretrained-load node, through freeze, LoRA, head and distill),
// the stage's batch and sequence length, the trainable share, and the backend's rough speed. The
// numbers are planning figures (float32, AdamW, activations kept for backprop, 1.5× for the
// engine's temporaries), not measurements; they exist to warn — or refuse — before a run is queued.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GraphDocument, GraphNode } from '../../graph-nodes';
import { diskFactSources } from '../../runtime/compile/disk-facts';
import { graphFacts } from '../../runtime/compile/graph-facts';
import { resolveParams } from '../../runtime/compile/params';
import { applyResolved, resolveAutoParams, type ResolvedParams } from '../../runtime/compile/resolve-defaults';
import { resolveInside } from '../../runtime/io/safe-path';
import { cachedHubFile } from '../../runtime/io/hub/hub-revision';
import type { RuntimeEnv } from '../../runtime/stages/define-stage';

/** The parts of a BERT config an estimate needs. */
export interface ModelShape {
  hidden: number;
  layers: number;
  intermediate: number;
  vocab: number;
  positions: number;
  heads: number;
}

export interface StageEstimate {
  nodeId: string;
  type: string;
  /** Peak memory of the stage's process, bytes. */
  memoryBytes: number;
  /** Wall time on `backend`, seconds; null when the data size is unknown before the run (uploads). */
  seconds: number | null;
  backend: string;
  parameters: number;
  trainableParameters: number;
  /** The inputs, in words, for the warning text. */
  basis: string;
}

/** Sustained float32 throughput per backend, GFLOP/s: wasm and cpu from this project's train bench
 * (7,800 tokens/s for H128 L2 B32×T128 ≈ 20 GFLOP/s), native from the OpenBLAS kernels on 2 cores (~35 at
 * the model shapes, measured by the engine work); tensorflow and tensorflow-gpu are assumptions
 * (libtensorflow on a few cores; a mid-range CUDA GPU), not measured here. */
export const BACKEND_GFLOPS: Record<string, number> = { 'tensorflow-gpu': 2000, tensorflow: 40, native: 35, wasm: 20, cpu: 1 };
/** Node process + tfjs + tokenizer and data, before any tensor. */
const BASE_BYTES = 350 * 2 ** 20;
/** Examples in the bundled datasets and corpora when no maximum is set (rounded). */
const BUNDLED_SIZES: Record<string, number> = { 'spam-assassin': 6000, 'brown-genre': 500, 'brown-pos': 57000, brown: 500, 'spam-assassin-emails': 6000 };
const TRAINING = new Set(['dapt', 'fine-tune', 'distill']);

/** Reads the config.json of a pretrained-load node's model; null when it cannot be found. */
export function modelShapeOf(node: GraphNode, env: RuntimeEnv): ModelShape | null {
  const p = resolveParams(node.type, node.params) as { source: string; modelId: string; folderPath: string; hubId?: string; revision?: string };
  let file: string;
  try {
    // A Hub model is known once it is in the HF cache (the first run downloads it).
    if (p.source === 'hub') file = cachedHubFile(p.hubId ?? '', p.revision ?? 'main', 'config.json') ?? '';
    else file = p.source === 'local-folder' ? join(resolveInside(env.modelsDir, p.folderPath), 'config.json') : join(resolveInside(env.bundledModelsDir, p.modelId), 'config.json');
  } catch {
    return null;
  }
  if (!file || !existsSync(file)) return null;
  try {
    const c = JSON.parse(readFileSync(file, 'utf8')) as Record<string, number>;
    return { hidden: c.hidden_size, layers: c.num_hidden_layers, intermediate: c.intermediate_size, vocab: c.vocab_size, positions: c.max_position_embeddings, heads: c.num_attention_heads };
  } catch {
    return null;
  }
}

/** Parameters of an encoder layer, of the embeddings, and of the whole model (pooler included). */
export function parameterCounts(m: ModelShape) {
  const layer = 4 * m.hidden * m.hidden + 4 * m.hidden + 2 * m.hidden * m.intermediate + m.intermediate + m.hidden + 4 * m.hidden;
  const embeddings = (m.vocab + m.positions + 2) * m.hidden + 2 * m.hidden;
  return { layer, embeddings, total: embeddings + m.layers * layer + m.hidden * m.hidden + m.hidden };
}

/** Examples a training stage will see per epoch, when the graph says (bundled data with or without a cap). */
function examplesFeeding(doc: GraphDocument, nodeId: string, port: 'dataset' | 'corpus'): number | null {
  const edge = doc.edges.find((e) => e.target === nodeId && e.targetPort === port);
  if (!edge) return null;
  const source = doc.nodes.find((n) => n.id === edge.source);
  if (!source) return null;
  if (source.type === 'split') return examplesFeeding(doc, source.id, 'dataset') === null ? null : Math.round(examplesFeeding(doc, source.id, 'dataset')! * 0.8);
  if (source.type === 'dataset-bundled' || source.type === 'corpus-bundled') {
    const p = source.params as { dataset?: string; corpus?: string; maxExamples?: number; maxDocuments?: number };
    const all = BUNDLED_SIZES[p.dataset ?? p.corpus ?? (source.type === 'dataset-bundled' ? 'spam-assassin' : 'spam-assassin-emails')] ?? null;
    const cap = p.maxExamples ?? p.maxDocuments ?? 0;
    return cap > 0 && all !== null ? Math.min(cap, all) : all;
  }
  return null;
}

/** Follows a node's `model` input up to its pretrained-load node, noting what trains on the way. */
function lineageOf(doc: GraphDocument, nodeId: string): { load: GraphNode | null; steps: GraphNode[] } {
  const steps: GraphNode[] = [];
  let current = nodeId;
  for (let guard = 0; guard < 1000; guard++) {
    const edge = doc.edges.find((e) => e.target === current && (e.targetPort === 'model' || e.targetPort === 'teacher'));
    const source = edge && doc.nodes.find((n) => n.id === edge.source);
    if (!source) return { load: null, steps };
    if (source.type === 'pretrained-load') return { load: source, steps };
    steps.push(source);
    current = source.id;
  }
  return { load: null, steps };
}

/** Estimates for every training stage of `order` on `backend`. */
export function estimateRun(doc: GraphDocument, order: string[], env: RuntimeEnv, backend: string): StageEstimate[] {
  const out: StageEstimate[] = [];
  // "auto" params take the values the run will use.
  let auto: ResolvedParams | null = null;
  const paramsOf = (n: GraphNode) => {
    const base = resolveParams(n.type, n.params);
    if (!Object.values(base).includes('auto')) return base;
    auto ??= resolveAutoParams(graphFacts(doc, diskFactSources(env)));
    return applyResolved(n.id, base, auto[n.id]);
  };
  for (const nodeId of order) {
    const node = doc.nodes.find((n) => n.id === nodeId);
    if (!node || !TRAINING.has(node.type)) continue;
    const { load, steps } = lineageOf(doc, nodeId);
    const shape = load ? modelShapeOf(load, env) : null;
    if (!shape) continue;
    let p: { batchSize: number; maxSeqLength: number; epochs: number; maxSteps?: number; studentLayers?: number };
    try {
      p = paramsOf(node) as typeof p;
    } catch {
      continue; // an "auto" that cannot be resolved yet (graphs.check reports it); no estimate
    }
    const seq = Math.min(p.maxSeqLength, shape.positions);
    const counts = parameterCounts(shape);
    // What trains: LoRA adapters (+ head) if a LoRA sits upstream, else what freeze/feature extraction leave.
    let trainable = counts.total;
    for (const s of steps) {
      const sp = s.params as Record<string, unknown>;
      if (s.type === 'lora') trainable = Math.min(trainable, shape.layers * ((sp.targetModules as string[] | undefined)?.length ?? 2) * 2 * Number(sp.rank ?? 8) * shape.hidden + shape.hidden * shape.hidden);
      if (s.type === 'head' && sp.featureExtraction) trainable = Math.min(trainable, shape.hidden * 8);
      if (s.type === 'freeze') {
        const from = Number(sp.freezeFromLayer ?? 0);
        const to = Number(sp.freezeToLayer ?? -1);
        const frozenLayers = to < 0 ? 0 : Math.max(0, Math.min(shape.layers - 1, to) - from + 1);
        trainable = Math.min(trainable, counts.total - frozenLayers * counts.layer - (sp.freezeEmbeddings === false ? 0 : counts.embeddings));
      }
    }
    const studentLayers = node.type === 'distill' ? Math.min(p.studentLayers ?? 1, shape.layers) : shape.layers;
    if (node.type === 'distill') trainable = counts.embeddings + studentLayers * counts.layer;
    const weights = counts.total * 4 + (node.type === 'distill' ? (counts.embeddings + studentLayers * counts.layer) * 4 : 0);
    const optimizer = trainable * 12; // gradient + AdamW's two moments
    const tokens = p.batchSize * seq;
    const perLayer = tokens * (10 * shape.hidden + 2 * shape.intermediate) + 2 * p.batchSize * shape.heads * seq * seq;
    const mlmLogits = node.type === 'dapt' ? 2 * tokens * shape.vocab : 0;
    const activations = 4 * (studentLayers * perLayer + tokens * shape.hidden + mlmLogits);
    const memoryBytes = Math.round(BASE_BYTES + 1.5 * (weights + optimizer + activations));

    const examples = examplesFeeding(doc, nodeId, node.type === 'dapt' ? 'corpus' : 'dataset');
    let stepsTotal = examples === null ? null : Math.ceil(examples / p.batchSize) * Math.ceil(p.epochs);
    if (node.type === 'dapt' && p.maxSteps && p.maxSteps > 0) stepsTotal = stepsTotal === null ? p.maxSteps : Math.min(stepsTotal, p.maxSteps);
    const nonEmbedding = studentLayers * counts.layer;
    const flopsPerToken = 4 * nonEmbedding + 2 * Math.min(trainable, nonEmbedding) + 4 * studentLayers * seq * shape.hidden + (node.type === 'dapt' ? 6 * shape.hidden * shape.vocab * 0.15 : 0);
    const gflops = BACKEND_GFLOPS[backend] ?? BACKEND_GFLOPS.wasm;
    const seconds = stepsTotal === null ? null : Math.round((stepsTotal * tokens * flopsPerToken) / (gflops * 1e9));
    out.push({
      nodeId,
      type: node.type,
      memoryBytes,
      seconds,
      backend,
      parameters: counts.total,
      trainableParameters: trainable,
      basis: `batch ${p.batchSize} × ${seq} tokens, ${(counts.total / 1e6).toFixed(1)} M parameters (${((100 * trainable) / counts.total).toFixed(0)}% trainable), ${backend}`,
    });
  }
  return out;
}

/** "1.2 GB", "350 MB". */
export function formatBytes(n: number): string {
  return n >= 2 ** 30 ? `${(n / 2 ** 30).toFixed(1)} GB` : `${Math.round(n / 2 ** 20)} MB`;
}

/** "40 s", "12 min", "3.5 h". */
export function formatSeconds(s: number): string {
  return s < 120 ? `${Math.max(1, Math.round(s))} s` : s < 7200 ? `${Math.round(s / 60)} min` : `${(s / 3600).toFixed(1)} h`;
}
