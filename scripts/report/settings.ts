// What the report measures and at what size: one place for the sizes full and quick mode use.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ReportSettings {
  quick: boolean;
  modelId: string;
  bundledModelsDir: string;
  /** Encoder layers of the bundled model (the student keeps half of them). */
  teacherLayers: number;
  /** Held-out masked-LM accuracy the model's training.json records (bundled models), to explain results. */
  modelHeldOutMlmAccuracy?: number;
  /** Tokens per email / sentence: the report's usual 128, or fewer when the model has fewer positions. */
  maxSeqLength: number;
  /** SpamAssassin emails loaded (0 = all 6,046). */
  emails: number;
  /** Labelled training emails of the headline comparison. */
  labels: number;
  /** Points of the label-efficiency curve (0 = every training email); points above the pool are dropped. */
  curve: number[];
  daptSteps: number;
  daptDocuments: number;
  posSentences: number;
  /** Split ratios and seed shared by every email split, so every pipeline sees the same test and validation emails. */
  emailSplit: { trainRatio: number; validationRatio: number; testRatio: number; stratify: true; seed: number };
}

export function reportSettings(quick: boolean, modelId: string, bundledModelsDir: string): ReportSettings {
  const config = JSON.parse(readFileSync(join(bundledModelsDir, modelId, 'config.json'), 'utf8')) as { num_hidden_layers: number; max_position_embeddings: number };
  return {
    quick,
    modelId,
    bundledModelsDir,
    teacherLayers: config.num_hidden_layers,
    modelHeldOutMlmAccuracy: heldOutMlmAccuracy(join(bundledModelsDir, modelId)),
    maxSeqLength: Math.min(quick ? 64 : 128, config.max_position_embeddings),
    emails: quick ? 600 : 0,
    labels: 200,
    curve: [50, 100, 200, 500, 0],
    daptSteps: quick ? 20 : 400,
    daptDocuments: quick ? 300 : 0,
    posSentences: quick ? 600 : 8000,
    emailSplit: { trainRatio: 0.7, validationRatio: 0.1, testRatio: 0.2, stratify: true, seed: 0 },
  };
}

/** training.json's held-out masked-LM accuracy (the bundled models' layout), or undefined when absent. */
function heldOutMlmAccuracy(dir: string): number | undefined {
  const path = join(dir, 'training.json');
  if (!existsSync(path)) return undefined;
  const t = JSON.parse(readFileSync(path, 'utf8')) as { heldOut?: { after?: { mlmAccuracy?: number } } };
  const acc = t.heldOut?.after?.mlmAccuracy;
  return typeof acc === 'number' ? acc : undefined;
}
