// Resumable training checkpoints: one safetensors file per training phase holding the weights, the
// AdamW moments, the best-on-validation snapshot and the loop's position (JSON in __metadata__),
// written atomically so a kill leaves the previous checkpoint or the new one, never half of one.
import { existsSync, readdirSync, rmdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readSafetensorsFile, writeSafetensorsFile } from '../../io/safetensors';
import type { DivergenceState } from './divergence';

/** Bumped when the saved state changes shape; a checkpoint of another format is not resumed. */
const FORMAT = 'tunegraph-train-checkpoint/2';

/** Where the loop stands, enough to continue exactly as if never stopped. */
export interface LoopPosition {
  /** Micro-batches done since the start of training. */
  batchIndex: number;
  /** The epoch in progress, or the next one when `epochStarted` is false. */
  epoch: number;
  /** Whether onEpochStart(epoch) already ran (its trainability is in `trainable`). */
  epochStarted: boolean;
  /** AdamW's step count t (also the learning-rate schedule's position). */
  optimizerSteps: number;
  /** Weights trainable when saved (gradual unfreezing changes them per epoch). */
  trainable: string[];
  lossHistory: number[];
  /** Best validation so far: score (higher is better), 1-based epoch, optimizer step. */
  best: { score: number; epoch: number; step: number } | null;
  /** Validations since the best one (early-stopping patience counter). */
  sinceBest: number;
  divergence: DivergenceState;
}

/** What a checkpoint holds besides the position. */
export interface CheckpointTensors {
  /** Current values of every weight the loop may change. */
  weights: Map<string, { shape: number[]; data: Float32Array }>;
  /** AdamW first/second moments by parameter name. */
  moments: Map<string, { m: Float32Array; v: Float32Array }>;
  /** Weights at the best validation so far, when there is one. */
  best: Map<string, Float32Array> | null;
}

/** The checkpoint file of one training phase inside a stage's checkpoint folder. */
export function checkpointFile(stageDir: string, phase: string): string {
  return join(stageDir, `${phase}.checkpoint.safetensors`);
}

/** Writes the checkpoint atomically (temp file + fsync + rename; the folder is created on demand). */
export function saveCheckpoint(path: string, position: LoopPosition, t: CheckpointTensors): void {
  const tensors: Record<string, { shape: number[]; data: Float32Array }> = {};
  for (const [name, w] of t.weights) {
    tensors[`weight/${name}`] = w;
    const slot = t.moments.get(name);
    if (slot) {
      tensors[`adam_m/${name}`] = { shape: w.shape, data: slot.m };
      tensors[`adam_v/${name}`] = { shape: w.shape, data: slot.v };
    }
    const best = t.best?.get(name);
    if (best) tensors[`best/${name}`] = { shape: w.shape, data: best };
  }
  const metadata = { format: FORMAT, position: JSON.stringify(position) };
  try {
    writeSafetensorsFile(path, tensors, { metadata });
  } catch (err) {
    // Another worker's sweep may remove the (still empty) folder between its creation and the write.
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    writeSafetensorsFile(path, tensors, { metadata });
  }
}

/** Reads a checkpoint; null when there is none, or it is unreadable or of another format (then it is removed). */
export function loadCheckpoint(path: string): { position: LoopPosition; tensors: CheckpointTensors } | null {
  if (!existsSync(path)) return null;
  let file: ReturnType<typeof readSafetensorsFile>;
  let position: LoopPosition;
  try {
    file = readSafetensorsFile(path);
    if (file.metadata.format !== FORMAT || !file.metadata.position) throw new Error('another checkpoint format');
    position = JSON.parse(file.metadata.position) as LoopPosition;
  } catch {
    // Unreadable or of another format: training starts over rather than failing on a file the user never made.
    rmSync(path, { force: true });
    return null;
  }
  const weights = new Map<string, { shape: number[]; data: Float32Array }>();
  const m = new Map<string, Float32Array>();
  const v = new Map<string, Float32Array>();
  const best = new Map<string, Float32Array>();
  for (const [key, tensor] of file.tensors) {
    const slash = key.indexOf('/');
    const kind = key.slice(0, slash);
    const name = key.slice(slash + 1);
    const data = tensor.data as Float32Array;
    if (kind === 'weight') weights.set(name, { shape: tensor.shape, data });
    else if (kind === 'adam_m') m.set(name, data);
    else if (kind === 'adam_v') v.set(name, data);
    else if (kind === 'best') best.set(name, data);
  }
  const moments = new Map([...m].filter(([name]) => v.has(name)).map(([name, mv]) => [name, { m: mv, v: v.get(name)! }]));
  return { position, tensors: { weights, moments, best: best.size > 0 ? best : null } };
}

/** Removes a phase's checkpoint, and its stage folder when nothing else is left in it. */
export function removeCheckpoint(path: string, stageDir: string): void {
  rmSync(path, { force: true });
  removeIfEmpty(stageDir);
}

function removeIfEmpty(dir: string): boolean {
  try {
    rmdirSync(dir); // refuses a non-empty folder, so a checkpoint another phase still needs stays
    return true;
  } catch {
    return false;
  }
}

/**
 * Removes empty stage folders under the checkpoints root (left by interrupted or older runs), and
 * returns how many went. A folder holding a checkpoint is kept: its stage may still resume.
 */
export function sweepEmptyCheckpointFolders(root: string): number {
  if (!existsSync(root)) return 0;
  let removed = 0;
  for (const name of readdirSync(root)) {
    const dir = join(root, name);
    try {
      if (!statSync(dir).isDirectory()) continue;
    } catch {
      continue; // gone meanwhile (another worker swept it)
    }
    // Older checkpoints kept a folder per phase (state.json + weights, no optimizer state): they can
    // no longer be resumed (their stage versions changed), so they go, and so does an empty one.
    for (const inner of safeList(dir)) {
      const sub = join(dir, inner);
      if (!isDirectory(sub)) continue;
      if (existsSync(join(sub, 'state.json'))) rmSync(sub, { recursive: true, force: true });
      else removeIfEmpty(sub);
    }
    if (removeIfEmpty(dir)) removed++;
  }
  return removed;
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
