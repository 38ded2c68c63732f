// Estimates before a run is queued: parameter counts agree with a real checkpoint, memory grows with
// what drives it, and a stage no connected worker can hold is refused, naming node and worker.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readSafetensorsFile } from '../../../runtime/io/safetensors';
import { judgeCapacity } from '../../../server/runs/capacity';
import { estimateRun, parameterCounts } from '../../../server/runs/estimate';
import type { QueueOverview } from '../../../server/runs/run-queue';
import { graphBuilder } from '../../helpers/graph-builder';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const env = { dataDir: '/nonexistent', modelsDir: '/nonexistent/models', uploadsDir: '/nonexistent/uploads', bundledModelsDir: join(root, 'public', 'models') };

function pipeline(ft: Record<string, unknown> = {}, withLora = false) {
  const g = graphBuilder('');
  g.node('dataset-bundled', { maxExamples: 1000 }, { id: 'data' });
  g.node('split', {}, { id: 'split' });
  g.node('pretrained-load', { modelId: 'tunegraph-bert-mini' }, { id: 'load' });
  if (withLora) g.node('lora', { rank: 4 }, { id: 'lora' });
  g.node('head', {}, { id: 'head' });
  g.node('fine-tune', ft, { id: 'ft' });
  g.connect('data', 'dataset', 'split', 'dataset');
  g.connect('load', 'model', withLora ? 'lora' : 'head', 'model');
  if (withLora) g.connect('lora', 'model', 'head', 'model');
  g.connect('split', 'dataset', 'head', 'dataset');
  g.connect('head', 'model', 'ft', 'model');
  g.connect('split', 'dataset', 'ft', 'dataset');
  return g.build();
}

const worker = (id: string, memoryBytes: number, labels: string[] = []): QueueOverview['workers'][number] => ({
  id, hostname: 'h', pid: 1, labels, concurrency: 1, backend: 'wasm', device: 'CPU', memoryBytes, freeMemoryBytes: memoryBytes, gpuMemoryBytes: null, currentJobs: [], startedAt: 0, lastSeenAt: 0, connected: true,
});
const overview = (workers: QueueOverview['workers']): QueueOverview => ({ mode: 'queue', workers, queues: [], startLatencyP95Ms: null });

describe('stage estimates', () => {
  it('counts the parameters the bundled checkpoint really has (its MLM head aside), plus the pooler a head adds', () => {
    const file = readSafetensorsFile(join(root, 'public/models/tunegraph-bert-mini/model.safetensors'));
    const stored = [...file.tensors.entries()].filter(([name]) => !name.startsWith('cls.')).reduce((n, [, t]) => n + t.shape.reduce((a, b) => a * b, 1), 0);
    expect(parameterCounts({ hidden: 128, layers: 2, intermediate: 512, vocab: 8000, positions: 128, heads: 4 }).total).toBe(stored + 128 * 128 + 128);
  });

  it('memory grows with batch and sequence; LoRA trains a small share and needs less; time scales with epochs', () => {
    const [base] = estimateRun(pipeline({ batchSize: 16, maxSeqLength: 64, epochs: 1 }), ['ft'], env, 'wasm');
    const [bigger] = estimateRun(pipeline({ batchSize: 64, maxSeqLength: 128, epochs: 2 }), ['ft'], env, 'wasm');
    const [lora] = estimateRun(pipeline({ batchSize: 16, maxSeqLength: 64, epochs: 1 }, true), ['ft'], env, 'wasm');
    expect(bigger.memoryBytes).toBeGreaterThan(base.memoryBytes);
    expect(bigger.seconds!).toBeGreaterThan(base.seconds! * 3);
    expect(base.trainableParameters).toBe(base.parameters);
    expect(lora.trainableParameters / lora.parameters).toBeLessThan(0.05);
    expect(lora.memoryBytes).toBeLessThan(base.memoryBytes);
    expect(base.basis).toMatch(/batch 16 × 64 tokens, 1\.5 M parameters \(100% trainable\), wasm/);
    const [gpu] = estimateRun(pipeline({ batchSize: 16, maxSeqLength: 64, epochs: 1 }), ['ft'], env, 'tensorflow-gpu');
    expect(gpu.seconds!).toBeLessThan(base.seconds!);
  });

  it('refuses a stage no connected worker can hold, naming the node, the need and the largest worker', () => {
    const doc = pipeline({ batchSize: 64 });
    const verdict = judgeCapacity(doc, ['data', 'split', 'load', 'head', 'ft'], () => [], env, overview([worker('small-a', 200 * 2 ** 20), worker('small-b', 300 * 2 ** 20)]));
    expect(verdict.issues).toHaveLength(1);
    expect(verdict.issues[0]).toMatchObject({ nodeId: 'ft', param: 'batchSize' });
    expect(verdict.issues[0].message).toMatch(/^needs about \d+ MB .*the largest connected worker \(small-b\) has 300 MB: lower batchSize/);
    expect(judgeCapacity(doc, ['ft'], () => [], env, overview([worker('big', 16 * 2 ** 30)])).issues).toEqual([]);
  });

  it('warns when no connected worker has the labels a stage needs, and only checks workers that have them', () => {
    const doc = pipeline();
    const none = judgeCapacity(doc, ['ft'], () => ['gpu'], env, overview([worker('cpu-only', 16 * 2 ** 30)]));
    expect(none.issues).toEqual([]);
    expect(none.warnings[0]).toMatch(/^ft: no connected worker with label gpu; the stage waits until one connects/);
    const tooSmall = judgeCapacity(doc, ['ft'], () => ['gpu'], env, overview([worker('cpu-big', 64 * 2 ** 30), worker('gpu-small', 100 * 2 ** 20, ['gpu'])]));
    expect(tooSmall.issues[0].message).toMatch(/largest connected worker with label gpu \(gpu-small\)/);
  });
});
