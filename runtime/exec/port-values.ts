// What flows along each port type at run time.
import type { Corpus, Dataset } from '../data/types';
import type { TaskModel } from '../model/task-model';
import type { WordPieceTokenizer } from '../text/wordpiece-tokenizer';

/** A model with the tokenizer it was trained with, plus where it came from. */
export interface ModelValue {
  model: TaskModel;
  tokenizer: WordPieceTokenizer;
  /** Free-form provenance shown in the UI (base model id, stages applied). */
  lineage: string[];
}

/** Per-class precision/recall/F1 and support. */
export interface ClassScore {
  label: string;
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

/** A warning about an evaluation: every prediction one class, no better than guessing, or a broken model. */
export interface MetricFlag {
  code: 'collapsed' | 'chance' | 'diverged';
  /** Plain words naming what was seen, with the numbers. */
  message: string;
}

/** Evaluation results of one model on one split (or a comparison of several). */
export interface MetricsValue {
  /** Name in comparisons (eval's `name` param, its label, or its node id). */
  name: string;
  kind: 'classification' | 'tagging' | 'perplexity' | 'comparison';
  /** Headline numbers: accuracy, macroF1, perplexity, tokenAccuracy … */
  values: Record<string, number>;
  perClass?: ClassScore[];
  confusion?: { labels: string[]; matrix: number[][] };
  /** For comparisons: one row per input, ranked. */
  rows?: { name: string; values: Record<string, number>; trainableParams?: number; totalParams?: number; flags?: MetricFlag[] }[];
  /** Warnings about these numbers (for comparisons: every input's, prefixed with its name). */
  flags?: MetricFlag[];
  /** Parameter counts of the evaluated model. */
  params?: { total: number; trainable: number };
  split?: string;
  examples?: number;
  /** Tokens per input it was scored at (the length the head was trained at). */
  maxSeqLength?: number;
}

/** Port type → run-time value. */
export interface PortValues {
  Model: ModelValue;
  Corpus: Corpus;
  Dataset: Dataset;
  Metrics: MetricsValue;
}
