// The TypeScript half of a GPU sitting (scripts/pretrain/gpu-sitting.py holds the why). Export writes
// the exact tokenised rows the CPU sittings train on, for the GPU host; import takes the weights the
// sitting wrote back, loads them with Tunegraph's own loader (so the HF layout is checked on the way
// in), and hands them to pretrain-bundled.ts, which re-evaluates them on the held-out Brown texts
// with its own engine before saving.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadModelFolder } from '../../runtime/io/model-folder';
import type { TaskModel } from '../../runtime/model/task-model';

/** What gpu-sitting.py reports about its run (the fields the import uses). */
export interface GpuSittingLog {
  tag: string;
  recipe: { lr: number; mask: number; batch: number; dropout: number; warmup: number; seed: number };
  device: string;
  torch: string;
  trainRows: number;
  checkRows: number;
  seqLength: number;
  start: { checkAccuracy: number; checkPerplexity: number };
  curve: { step: number; epoch: number; loss: number | null; lr: number; checkAccuracy: number; checkPerplexity: number; seconds: number }[];
  steps: number;
  tokens: number;
  epochs: number;
  seconds: number;
  final: boolean;
}

/** Writes the rows of exactly `seqLength` tokens as one uint16 matrix (the vocabulary fits 16 bits). */
export function exportRowsForGpu(rows: number[][], seqLength: number, vocabSize: number, dir: string): string {
  if (vocabSize > 65536) throw new Error(`--gpu-export: a vocabulary of ${vocabSize} tokens does not fit the 16-bit row file`);
  const full = rows.filter((r) => r.length === seqLength);
  const out = new Uint16Array(full.length * seqLength);
  full.forEach((r, i) => out.set(r, i * seqLength));
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'rows.u16');
  writeFileSync(path, Buffer.from(out.buffer));
  return `${path}: ${full.length.toLocaleString('en')} rows of ${seqLength} tokens (${rows.length - full.length} shorter row${rows.length - full.length === 1 ? '' : 's'} left out)`;
}

/** Reads a sitting's log and loads its weights into a model, with the tokenizer files of `modelDir`. */
export async function loadGpuSitting(modelDir: string, sittingDir: string, tag: string, allowPartial = false): Promise<{ model: TaskModel; log: GpuSittingLog }> {
  const logPath = join(sittingDir, `${tag}.json`);
  const weightsPath = join(sittingDir, `${tag}.safetensors`);
  for (const p of [logPath, weightsPath]) if (!existsSync(p)) throw new Error(`--gpu-import: ${p} is missing; expected the files gpu-sitting.py --tag ${tag} writes`);
  const log = JSON.parse(readFileSync(logPath, 'utf8')) as GpuSittingLog;
  if (!log.final && !allowPartial) throw new Error(`--gpu-import: ${logPath} is a checkpoint of an unfinished sitting (final: false); import it with --gpu-allow-partial`);
  // The sitting changes only the weights: load them beside this model's config and tokenizer files.
  const staging = mkdtempSync(join(tmpdir(), 'gpu-sitting-'));
  try {
    for (const f of readdirSync(modelDir)) if (f !== 'model.safetensors' && f !== 'training.json') copyFileSync(join(modelDir, f), join(staging, f));
    copyFileSync(weightsPath, join(staging, 'model.safetensors'));
    const { model } = await loadModelFolder(staging);
    if (!model.hasMlmHead) throw new Error(`--gpu-import: ${weightsPath} has no masked-LM head (cls.predictions.*)`);
    return { model, log };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
