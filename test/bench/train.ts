// Training bench: tokens/s and peak memory of TaskModel training steps (masked-LM, full and LoRA
// fine-tuning, a wider/deeper shape) on the chosen tfjs backend, against PyTorch CPU on the same shapes.
//   npm run bench -- train [--steps=5] [--warmup=2] [--dropout=0.1] [--only=cls,cls-lora] [--no-torch]
// Each workload runs in its own process (so peak RSS belongs to it alone); this file is both parent and child.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../runtime/backend';
import { BERT_CONFIG_DEFAULTS, type BertConfig } from '../../runtime/model/bert-config';
import { crossEntropy } from '../../runtime/model/losses';
import { AdamW } from '../../runtime/model/optim';
import { createRng } from '../../runtime/model/rng';
import { TaskModel } from '../../runtime/model/task-model';
import { trainStep } from '../../runtime/model/train-step';
import { markdownTable, writeBenchResult } from './report';

type Kind = 'mlm' | 'cls' | 'cls-lora';

interface Workload {
  id: string;
  kind: Kind;
  d: number;
  layers: number;
  heads: number;
  ffn: number;
  vocab: number;
  B: number;
  T: number;
}

const small = { d: 128, layers: 2, heads: 4, ffn: 512, vocab: 8000 };
const wide = { d: 256, layers: 4, heads: 4, ffn: 1024, vocab: 8000 };
const WORKLOADS: Workload[] = [
  { id: 'mlm', kind: 'mlm', ...small, B: 32, T: 64 },
  { id: 'cls', kind: 'cls', ...small, B: 32, T: 128 },
  { id: 'cls-lora', kind: 'cls-lora', ...small, B: 32, T: 128 },
  { id: 'mlm-d256', kind: 'mlm', ...wide, B: 32, T: 64 },
  { id: 'cls-d256', kind: 'cls', ...wide, B: 32, T: 128 },
];

const args = new Map(process.argv.slice(2).filter((a) => a.startsWith('--')).map((a) => {
  const [k, v] = a.slice(2).split('=');
  return [k!, v ?? 'true'] as const;
}));
const steps = Number(args.get('steps') ?? 5);
const warmup = Number(args.get('warmup') ?? 2);
const dropoutRate = Number(args.get('dropout') ?? 0.1);

interface ChildResult {
  id: string;
  backend: string;
  device: string;
  medianMs: number;
  tokensPerS: number;
  times: number[];
  params: { total: number; trainable: number };
  peakRssMiB: number;
  tfPeakMiB: number;
  tfBytesAfterMiB: number;
  /** wasm only: size of the wasm heap, which grows to the step's true peak and never shrinks. */
  wasmHeapMiB: number | null;
  topKernels: [string, number][];
}

/** Bytes in the wasm heap (0 on other backends). tf.memory().numBytes counts a buffer once per tensor
 * sharing it (reshape, kept clones), so it overstates real memory; the heap size does not. */
function wasmHeapBytes(): number {
  const b = tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } };
  return b.wasm?.HEAPU8?.byteLength ?? 0;
}

/** Child: builds the workload, warms up, times `steps` steps, profiles one more step per kernel. */
async function runChild(w: Workload): Promise<ChildResult> {
  const info = await initBackend();
  const config: BertConfig = {
    ...BERT_CONFIG_DEFAULTS,
    vocabSize: w.vocab, hiddenSize: w.d, numHiddenLayers: w.layers, numAttentionHeads: w.heads, intermediateSize: w.ffn,
    hiddenDropoutProb: dropoutRate, attentionProbsDropoutProb: dropoutRate,
  };
  const model = TaskModel.create(config, { seed: 1, mlmHead: w.kind === 'mlm' });
  const rng = createRng(7);
  const n = w.B * w.T;
  const ids = Int32Array.from({ length: n }, () => 5 + rng.int(w.vocab - 5));
  const inputIds = tf.tensor2d(ids, [w.B, w.T], 'int32');
  const attentionMask = tf.ones([w.B, w.T], 'int32') as tf.Tensor2D;
  const batch = { inputIds, attentionMask };
  let lossFn: () => tf.Scalar;
  if (w.kind === 'mlm') {
    // Fixed 15% of positions, decoded alone (the mlm-masked method of the torch reference).
    const count = Math.max(1, Math.round(0.15 * n));
    const chosen = new Set<number>();
    while (chosen.size < count) chosen.add(rng.int(n));
    const positions = tf.tensor1d(Int32Array.from([...chosen].sort((a, b) => a - b)), 'int32');
    const targets = tf.tensor1d(Int32Array.from({ length: count }, () => 5 + rng.int(w.vocab - 5)), 'int32');
    lossFn = () => crossEntropy(model.forwardMlm(batch, { training: true, rng }, positions), targets);
  } else {
    model.setClassifier({ task: 'sequence-classification', labels: ['a', 'b'], pooling: 'cls', dropout: 0 }, 3);
    if (w.kind === 'cls-lora') {
      for (const [name, v] of model.params) v.trainable = name.startsWith('classifier.');
      model.addLora({ rank: 8, alpha: 16, dropout: 0, targetModules: ['query', 'value'], seed: 5 });
    }
    const labels = tf.tensor1d(Int32Array.from({ length: w.B }, (_, i) => i % 2), 'int32');
    lossFn = () => crossEntropy(model.forwardSequence(batch, { training: true, rng }), labels);
  }
  const params = model.trainableParams();
  const optimizer = new AdamW(params, { lr: 1e-4, weightDecay: 0.01 });
  const step = () => trainStep({ params, lossFn, optimizer });
  let tfPeak = 0;
  for (let i = 0; i < warmup; i++) await step();
  const times: number[] = [];
  for (let i = 0; i < steps; i++) {
    const t0 = performance.now();
    await step();
    times.push(performance.now() - t0);
    tfPeak = Math.max(tfPeak, tf.memory().numBytes);
  }
  // One profiled step: peak bytes inside the step and time per kernel (wasm/cpu run kernels synchronously).
  let profile: Awaited<ReturnType<typeof tf.profile>> | null = null;
  profile = await tf.profile(async () => {
    await step();
    return [];
  });
  tfPeak = Math.max(tfPeak, profile.peakBytes);
  const byKernel = new Map<string, number>();
  for (const k of profile.kernels) byKernel.set(k.name, (byKernel.get(k.name) ?? 0) + Number(k.kernelTimeMs ?? 0));
  const sorted = [...times].sort((a, b) => a - b);
  const medianMs = sorted[Math.floor(sorted.length / 2)]!;
  return {
    id: w.id, backend: info.backend, device: info.device, medianMs, tokensPerS: n / (medianMs / 1000), times,
    params: model.countParams(),
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    tfPeakMiB: tfPeak / 2 ** 20,
    tfBytesAfterMiB: tf.memory().numBytes / 2 ** 20,
    wasmHeapMiB: wasmHeapBytes() / 2 ** 20 || null,
    topKernels: [...byKernel].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([k, ms]) => [k, Math.round(ms)]),
  };
}

interface TorchResult {
  median_ms: number;
  tokens_per_s: number;
  peak_rss_mib: number;
  params_trainable: number;
  blas: string[];
}

function runTorch(w: Workload, threads: string): TorchResult | string {
  const script = fileURLToPath(new URL('./torch_train_bench.py', import.meta.url));
  const spec = { workload: w.kind, d: w.d, layers: w.layers, heads: w.heads, ffn: w.ffn, vocab: w.vocab, B: w.B, T: w.T, dropout: dropoutRate, warmup, steps, threads };
  const r = spawnSync('/usr/bin/python3', [script, JSON.stringify(spec)], { encoding: 'utf8', timeout: 300_000 });
  if (r.status !== 0) return `failed: ${(r.stderr || r.error?.message || '').trim().split('\n').pop()}`;
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as TorchResult;
}

function hasTorch(): boolean {
  if (!existsSync('/usr/bin/python3') || args.has('no-torch')) return false;
  return spawnSync('/usr/bin/python3', ['-c', 'import torch'], { timeout: 60_000 }).status === 0;
}

async function main(): Promise<void> {
  const child = args.get('child');
  if (child) {
    const w = WORKLOADS.find((x) => x.id === child);
    if (!w) throw new Error(`unknown workload "${child}"`);
    process.stdout.write('\nRESULT ' + JSON.stringify(await runChild(w)) + '\n');
    return;
  }
  const only = args.get('only')?.split(',');
  const chosen = only ? WORKLOADS.filter((w) => only.includes(w.id)) : WORKLOADS;
  const torch = hasTorch();
  const self = fileURLToPath(import.meta.url);
  const rows: (string | number)[][] = [];
  const results: Record<string, unknown>[] = [];
  for (const w of chosen) {
    const passOn = process.argv.slice(2).filter((a) => a.startsWith('--') && !a.startsWith('--only'));
    const r = spawnSync(process.execPath, ['--import', 'tsx', self, `--child=${w.id}`, ...passOn], { encoding: 'utf8', timeout: 600_000 });
    const line = r.stdout?.split('\n').find((l) => l.startsWith('RESULT '));
    if (r.status !== 0 || !line) throw new Error(`bench child ${w.id} failed (exit ${r.status}): ${r.stderr?.trim().split('\n').slice(-5).join(' | ')}`);
    const js = JSON.parse(line.slice(7)) as ChildResult;
    const t = torch ? runTorch(w, 'default') : 'no torch';
    const t1 = torch ? runTorch(w, '1') : 'no torch';
    const ratio = (x: TorchResult | string) => (typeof x === 'string' ? x : `${(js.tokensPerS / x.tokens_per_s).toFixed(2)}x`);
    const tps = (x: TorchResult | string) => (typeof x === 'string' ? '-' : Math.round(x.tokens_per_s));
    rows.push([
      w.id, `${w.B}x${w.T} D${w.d} L${w.layers}`, `${(js.params.total / 1e6).toFixed(2)}M / ${js.params.trainable.toLocaleString('en')}`,
      Math.round(js.medianMs), Math.round(js.tokensPerS), tps(t), ratio(t), tps(t1), ratio(t1),
      Math.round(js.peakRssMiB), js.wasmHeapMiB === null ? '-' : Math.round(js.wasmHeapMiB), typeof t === 'string' ? '-' : Math.round(t.peak_rss_mib),
    ]);
    results.push({ workload: w, tfjs: js, torchDefaultThreads: t, torch1Thread: t1 });
    process.stdout.write(`${w.id}: ${Math.round(js.tokensPerS)} tokens/s (${js.backend}); top kernels ms: ${js.topKernels.map(([k, ms]) => `${k} ${ms}`).join(', ')}\n`);
  }
  const header = ['workload', 'shape', 'params total / trainable', 'tfjs step ms', 'tfjs tok/s', 'torch tok/s (default thr)', 'ratio', 'torch tok/s (1 thr)', 'ratio (1 thr)', 'tfjs peak RSS MiB', 'tfjs wasm heap MiB', 'torch peak RSS MiB'];
  const first = results[0]?.tfjs as ChildResult | undefined;
  const torchInfo = results.map((r) => r.torchDefaultThreads).find((t): t is TorchResult => typeof t === 'object');
  const md =
    `backend: ${first?.backend ?? '?'} — ${first?.device ?? '?'}; dropout ${dropoutRate}; ${warmup} warm-up + ${steps} timed steps (median); each workload in a fresh process\n` +
    `torch: ${torchInfo ? `BLAS ${torchInfo.blas.join(', ') || '?'} (ratio = tfjs tok/s ÷ torch tok/s, same run)` : 'not run'}\n\n` +
    markdownTable(header, rows);
  writeBenchResult('train', { dropout: dropoutRate, warmup, steps, torchAvailable: torch, results }, md);
}

await main();
