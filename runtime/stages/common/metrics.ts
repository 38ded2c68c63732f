// Evaluation metrics computed from predictions (no tfjs): accuracy, macro-F1, per-class
// precision/recall/F1, confusion matrix.
import type { ClassScore } from '../../exec/port-values';

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
