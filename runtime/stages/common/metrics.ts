// Evaluation metrics computed from predictions (no tfjs): accuracy, macro-F1, per-class
// precision/recall/F1, confusion matrix, and flags for a model that collapsed or scores at chance.
import type { ClassScore, MetricFlag } from '../../exec/port-values';

/** Macro-F1 must beat the better chance baseline by this much not to be flagged "chance". */
export const CHANCE_MARGIN = 0.05;

/** Classification metrics from gold and predicted label indices. */
export function classificationMetrics(gold: ArrayLike<number>, pred: ArrayLike<number>, labels: string[]) {
  const C = labels.length;
  const matrix = Array.from({ length: C }, () => new Array<number>(C).fill(0));
  let correct = 0;
  for (let i = 0; i < gold.length; i++) {
    matrix[gold[i]][pred[i]]++;
    if (gold[i] === pred[i]) correct++;
  }
  const perClass: ClassScore[] = labels.map((label, c) => {
    const tp = matrix[c][c];
    const predicted = matrix.reduce((s, row) => s + row[c], 0);
    const support = matrix[c].reduce((a, b) => a + b, 0);
    const precision = predicted ? tp / predicted : 0;
    const recall = support ? tp / support : 0;
    const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
    return { label, precision, recall, f1, support };
  });
  // Macro averages over classes that occur in the gold labels or the predictions.
  const present = perClass.filter((p, c) => p.support > 0 || matrix.some((row) => row[c] > 0));
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
  return {
    values: {
      accuracy: gold.length ? correct / gold.length : 0,
      macroF1: mean(present.map((p) => p.f1)),
      macroPrecision: mean(present.map((p) => p.precision)),
      macroRecall: mean(present.map((p) => p.recall)),
    },
    perClass,
    confusion: { labels, matrix },
  };
}

/**
 * Macro-F1 of the two ways of guessing without reading the text, from the gold label counts:
 * - majority: always the most frequent gold class c* (F1 of c* is 2p/(1+p) with p its share; every
 *   other gold class scores 0), averaged over the classes present in the gold labels;
 * - uniform: each of the C labels with probability 1/C, F1 from the expected counts (precision = the
 *   class's share p, recall = 1/C), averaged over all C labels, as the guesser predicts them all.
 */
export function chanceBaselines(gold: ArrayLike<number>, labels: string[]): { majority: number; uniform: number; majorityLabel: string } {
  const C = labels.length;
  const counts = new Array<number>(C).fill(0);
  for (let i = 0; i < gold.length; i++) counts[gold[i]]++;
  const N = gold.length;
  const present = counts.filter((n) => n > 0).length;
  let top = 0;
  for (let c = 1; c < C; c++) if (counts[c] > counts[top]) top = c;
  const pTop = N ? counts[top] / N : 0;
  const majority = present ? (2 * pTop) / (1 + pTop) / present : 0;
  let uniformSum = 0;
  for (const n of counts) {
    const p = N ? n / N : 0;
    if (p > 0) uniformSum += (2 * p * (1 / C)) / (p + 1 / C);
  }
  return { majority, uniform: C ? uniformSum / C : 0, majorityLabel: labels[top] ?? '' };
}

/** "ham 830, spam 379" for the classes that occur, most frequent first (at most `limit`). */
function countsText(values: ArrayLike<number>, labels: string[], limit = 6): string {
  const counts = new Map<number, number>();
  for (let i = 0; i < values.length; i++) counts.set(values[i], (counts.get(values[i]) ?? 0) + 1);
  const sorted = [...counts].sort((a, b) => b[1] - a[1]);
  const shown = sorted.slice(0, limit).map(([c, n]) => `${labels[c]} ${n}`);
  return shown.join(', ') + (sorted.length > limit ? `, … (${sorted.length - limit} more)` : '');
}

/** Each flag also goes to the run log as a warning, so it shows where people read. */
export function logFlags(name: string, flags: MetricFlag[], log: (m: string, level?: 'info' | 'warn' | 'error') => void): MetricFlag[] {
  for (const f of flags) log(`${name}: ${f.code}: ${f.message}`, 'warn');
  return flags;
}

/**
 * Flags for predictions that carry no information:
 * - collapsed: every prediction is the same class while the gold labels hold two or more;
 * - chance: macro-F1 does not beat the better chance baseline (chanceBaselines) by CHANCE_MARGIN.
 * A collapsed model is not also flagged "chance": collapse is the stronger and more specific finding.
 */
export function predictionFlags(gold: ArrayLike<number>, pred: ArrayLike<number>, labels: string[], macroF1: number, what = 'predictions'): MetricFlag[] {
  if (gold.length === 0 || labels.length < 2) return [];
  const goldClasses = new Set(Array.from(gold)).size;
  const first = pred[0];
  let oneClass = true;
  for (let i = 1; i < pred.length && oneClass; i++) oneClass = pred[i] === first;
  if (oneClass && goldClasses >= 2) {
    return [{ code: 'collapsed', message: `all ${pred.length} ${what} are "${labels[first]}" (the gold labels are ${countsText(gold, labels)}): the model collapsed to one class` }];
  }
  const base = chanceBaselines(gold, labels);
  const chance = Math.max(base.majority, base.uniform);
  if (goldClasses >= 2 && macroF1 <= chance + CHANCE_MARGIN) {
    return [
      {
        code: 'chance',
        message: `macro-F1 ${macroF1.toFixed(3)} is within ${CHANCE_MARGIN} of chance ${chance.toFixed(3)} (always answering "${base.majorityLabel}" scores ${base.majority.toFixed(3)}, guessing uniformly among ${labels.length} labels ${base.uniform.toFixed(3)})`,
      },
    ];
  }
  return [];
}
