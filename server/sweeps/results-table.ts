// A sweep's results table: one row per grid point (its values, status, evaluation scores with their
// flags, wall time) and one column per metric, with the best point of each metric marked.
import type { RunScore } from '../routers/results';
import type { SweepValue } from './grid';

export interface SweepRow {
  runId: string;
  values: Record<string, SweepValue>;
  status: string;
  error: string | null;
  scores: RunScore[];
  /** Wall time of the run, start to finish. */
  seconds: number | null;
}

export interface SweepColumn {
  /** `macroF1`, or `<eval name> · macroF1` when the graph evaluates more than once. */
  key: string;
  nodeId: string;
  metric: string;
  lowerIsBetter: boolean;
  /** Runs holding the best value (ties share it); empty until two finished runs differ. */
  best: string[];
}

/** Loss-like metrics are better low; scores (accuracy, F1, precision, recall) better high. */
export function lowerIsBetter(metric: string): boolean {
  return /loss|perplexity|error/i.test(metric);
}

/** The value of a column in a row, if the row has it. */
export function cellOf(row: SweepRow, column: Pick<SweepColumn, 'nodeId' | 'metric'>): number | null {
  const v = row.scores.find((s) => s.nodeId === column.nodeId)?.values[column.metric];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** Columns of every metric any row reports, in first-seen order, with the best rows of each. */
export function sweepColumns(rows: SweepRow[]): SweepColumn[] {
  const evalNodes = new Set(rows.flatMap((r) => r.scores.map((s) => s.nodeId)));
  const columns: SweepColumn[] = [];
  for (const row of rows) {
    for (const score of row.scores) {
      for (const metric of Object.keys(score.values)) {
        if (columns.some((c) => c.nodeId === score.nodeId && c.metric === metric)) continue;
        columns.push({ key: evalNodes.size > 1 ? `${score.name} · ${metric}` : metric, nodeId: score.nodeId, metric, lowerIsBetter: lowerIsBetter(metric), best: [] });
      }
    }
  }
  for (const column of columns) {
    const scored = rows.filter((r) => r.status === 'done').map((r) => [r.runId, cellOf(r, column)] as const).filter((e): e is readonly [string, number] => e[1] !== null);
    if (scored.length < 2) continue;
    const best = column.lowerIsBetter ? Math.min(...scored.map(([, v]) => v)) : Math.max(...scored.map(([, v]) => v));
    // Every run scored the same: nothing is best.
    if (scored.every(([, v]) => v === best)) continue;
    column.best = scored.filter(([, v]) => v === best).map(([id]) => id);
  }
  return columns;
}
