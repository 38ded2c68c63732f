// Training bench: tokens/s, evaluation examples/s and peak memory of TaskModel training steps (masked-LM,
// full and LoRA fine-tuning, wider shapes, a BERT-base) on the chosen tfjs backend, against PyTorch CPU
// on the same shapes in the same run (default threads and 2 threads; ratio = against the faster).
//   npm run bench -- train [--steps=5] [--warmup=2] [--dropout=0.1] [--only=cls,cls-lora] [--no-torch]
//                          [--backend=wasm]   (TUNEGRAPH_BACKEND for the tfjs side; default: the best here)
// Each workload runs in its own process (so peak RSS belongs to it alone); this file is both parent and child.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
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
  /** Fewer steps for shapes that take seconds per step. */
  steps?: number;
  warmup?: number;
}

const small = { d: 128, layers: 2, heads: 4, ffn: 512, vocab: 8000 };
const wide = { d: 256, layers: 4, heads: 4, ffn: 1024, vocab: 8000 };
const WORKLOADS: Workload[] = [
  { id: 'mlm', kind: 'mlm', ...small, B: 32, T: 64 },
  { id: 'cls', kind: 'cls', ...small, B: 32, T: 128 },
  { id: 'cls-lora', kind: 'cls-lora', ...small, B: 32, T: 128 },
  { id: 'mlm-d256', kind: 'mlm', ...wide, B: 32, T: 64 },
  { id: 'cls-d256', kind: 'cls', ...wide, B: 32, T: 128 },
  // What a real checkpoint costs on a CPU host: BERT-base (110M parameters), full fine-tuning.
  { id: 'bert-base', kind: 'cls', d: 768, layers: 12, heads: 12, ffn: 3072, vocab: 30522, B: 8, T: 128, steps: 2, warmup: 1 },
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
  /** Forward pass only (training off, no gradients), as evaluation and prediction run it. */
  evalMedianMs: number;
  evalExamplesPerS: number;
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
  let evalFn: () => tf.Tensor;
  if (w.kind === 'mlm') {
    // Fixed 15% of positions, decoded alone (the mlm-masked method of the torch reference).
    const count = Math.max(1, Math.round(0.15 * n));
    const chosen = new Set<number>();
    while (chosen.size < count) chosen.add(rng.int(n));
    const positions = tf.tensor1d(Int32Array.from([...chosen].sort((a, b) => a - b)), 'int32');
    const targets = tf.tensor1d(Int32Array.from({ length: count }, () => 5 + rng.int(w.vocab - 5)), 'int32');
    lossFn = () => crossEntropy(model.forwardMlm(batch, { training: true, rng }, positions), targets);
    evalFn = () => model.forwardMlm(batch, { training: false }, positions);
  } else {
    model.setClassifier({ task: 'sequence-classification', labels: ['a', 'b'], pooling: 'cls', dropout: 0 }, 3);
    if (w.kind === 'cls-lora') {
      for (const [name, v] of model.params) v.trainable = name.startsWith('classifier.');
      model.addLora({ rank: 8, alpha: 16, dropout: 0, targetModules: ['query', 'value'], seed: 5 });
    }
    const labels = tf.tensor1d(Int32Array.from({ length: w.B }, (_, i) => i % 2), 'int32');
    lossFn = () => crossEntropy(model.forwardSequence(batch, { training: true, rng }), labels);
    evalFn = () => model.forwardSequence(batch, { training: false });
  }
  const params = model.trainableParams();
  const optimizer = new AdamW(params, { lr: 1e-4, weightDecay: 0.01 });
  const step = () => trainStep({ params, lossFn, optimizer });
  let tfPeak = 0;
  for (let i = 0; i < (w.warmup ?? warmup); i++) await step();
  const times: number[] = [];
  for (let i = 0; i < (w.steps ?? steps); i++) {
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
  const medianMs = median(times);
  // Evaluation: forward only, results read back (as the eval stage does), after one warm-up pass.
  const evaluate = async () => {
    const out = tf.tidy(evalFn);
    await out.data();
    out.dispose();
  };
  await evaluate();
  const evalTimes: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    await evaluate();
    evalTimes.push(performance.now() - t0);
  }
  const evalMedianMs = median(evalTimes);
  return {
    id: w.id, backend: info.backend, device: info.device, medianMs, tokensPerS: n / (medianMs / 1000), times,
    evalMedianMs, evalExamplesPerS: w.B / (evalMedianMs / 1000),
    params: model.countParams(),
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    tfPeakMiB: tfPeak / 2 ** 20,
    tfBytesAfterMiB: tf.memory().numBytes / 2 ** 20,
    wasmHeapMiB: wasmHeapBytes() / 2 ** 20 || null,
    topKernels: [...byKernel].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([k, ms]) => [k, Math.round(ms)]),
  };
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

interface TorchResult {
  median_ms: number;
  tokens_per_s: number;
  eval_examples_per_s: number;
  peak_rss_mib: number;
  params_trainable: number;
  blas: string[];
  blas_info: { built_with: string; loaded: string[]; aten_threads: number };
}

function runTorch(w: Workload, threads: string): TorchResult | string {
  const script = fileURLToPath(new URL('./torch_train_bench.py', import.meta.url));
  const spec = { workload: w.kind, d: w.d, layers: w.layers, heads: w.heads, ffn: w.ffn, vocab: w.vocab, B: w.B, T: w.T, dropout: dropoutRate, warmup: w.warmup ?? warmup, steps: w.steps ?? steps, threads };
  const r = spawnSync('/usr/bin/python3', [script, JSON.stringify(spec)], { encoding: 'utf8', timeout: 600_000 });
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
  const backend = args.get('backend');
  const childEnv = backend ? { ...process.env, TUNEGRAPH_BACKEND: backend } : process.env;
  for (const w of chosen) {
    const passOn = process.argv.slice(2).filter((a) => a.startsWith('--') && !a.startsWith('--only'));
    const r = spawnSync(process.execPath, ['--import', 'tsx', self, `--child=${w.id}`, ...passOn], { encoding: 'utf8', timeout: 900_000, env: childEnv });
    const line = r.stdout?.split('\n').find((l) => l.startsWith('RESULT '));
    if (r.status !== 0 || !line) throw new Error(`bench child ${w.id} failed (exit ${r.status}): ${r.stderr?.trim().split('\n').slice(-5).join(' | ')}`);
    const js = JSON.parse(line.slice(7)) as ChildResult;
    const t = torch ? runTorch(w, 'default') : 'no torch';
    const t2 = torch ? runTorch(w, '2') : 'no torch';
    // The faster PyTorch setting is the one to beat (default: 1 ATen thread + OpenBLAS's own pool; 2: both on 2 threads).
    const best = [t, t2].filter((x): x is TorchResult => typeof x === 'object').sort((a, b) => b.tokens_per_s - a.tokens_per_s)[0];
    const bestEval = [t, t2].filter((x): x is TorchResult => typeof x === 'object').sort((a, b) => b.eval_examples_per_s - a.eval_examples_per_s)[0];
    const ratio = best ? js.tokensPerS / best.tokens_per_s : null;
    const evalRatio = bestEval ? js.evalExamplesPerS / bestEval.eval_examples_per_s : null;
    const torchRss = best ? Math.max(...[t, t2].filter((x): x is TorchResult => typeof x === 'object').map((x) => x.peak_rss_mib)) : null;
    const tps = (x: TorchResult | string) => (typeof x === 'string' ? '-' : Math.round(x.tokens_per_s));
    const fmt = (x: number | null) => (x === null ? '-' : `${x.toFixed(2)}x`);
    rows.push([
      w.id, `${w.B}x${w.T} D${w.d} L${w.layers}`, `${(js.params.total / 1e6).toFixed(2)}M / ${js.params.trainable.toLocaleString('en')}`,
      Math.round(js.medianMs), Math.round(js.tokensPerS), tps(t), tps(t2), fmt(ratio),
      js.evalExamplesPerS.toFixed(1), bestEval ? bestEval.eval_examples_per_s.toFixed(1) : '-', fmt(evalRatio),
      Math.round(js.peakRssMiB), torchRss === null ? '-' : Math.round(torchRss), torchRss === null ? '-' : `${(js.peakRssMiB / torchRss).toFixed(2)}x`,
    ]);
    results.push({ workload: w, tfjs: js, torchDefaultThreads: t, torch2Threads: t2, ratio, evalRatio, rssRatio: torchRss === null ? null : js.peakRssMiB / torchRss });
    process.stdout.write(`${w.id}: ${Math.round(js.tokensPerS)} tokens/s (${js.backend})${ratio === null ? '' : `, ${ratio.toFixed(2)}x torch`}; top kernels ms: ${js.topKernels.map(([k, ms]) => `${k} ${ms}`).join(', ')}\n`);
  }
  const header = ['workload', 'shape', 'params total / trainable', 'tfjs step ms', 'tfjs tok/s', 'torch tok/s (default thr)', 'torch tok/s (2 thr)', 'ratio', 'tfjs eval ex/s', 'torch eval ex/s', 'eval ratio', 'tfjs peak RSS MiB', 'torch peak RSS MiB', 'RSS ratio'];
  const first = results[0]?.tfjs as ChildResult | undefined;
  const torchInfo = results.flatMap((r) => [r.torchDefaultThreads, r.torch2Threads]).find((t): t is TorchResult => typeof t === 'object');
  const load = os.loadavg().map((x) => x.toFixed(1)).join(' / ');
  const md =
    `backend: ${first?.backend ?? '?'} — ${first?.device ?? '?'}; dropout ${dropoutRate}; ${warmup} warm-up + ${steps} timed steps (median; bert-base 1 + 2); each workload in a fresh process\n` +
    `torch ${torchInfo ? `built with BLAS_INFO=${torchInfo.blas_info.built_with}, loaded ${torchInfo.blas_info.loaded[0] ?? torchInfo.blas.join(', ')}` : 'not run'}; ratio = tfjs ÷ the faster torch setting, same run\n` +
    `load average at the end (1/5/15 min, ${os.cpus().length} cores, machine shared): ${load}\n\n` +
    markdownTable(header, rows);
  writeBenchResult('train', { dropout: dropoutRate, warmup, steps, torchAvailable: torch, loadAverage: os.loadavg(), results }, md);
}

await main();
