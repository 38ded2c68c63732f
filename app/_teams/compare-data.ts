// The compare view's numbers, shaped without React: metric tables with the best run per metric,
// run colours, and the axes and lines of a parallel-coordinates chart.
import type { ParamDiffRow } from '../../runtime/compile/param-diff';
import { formatParamValue } from '../../runtime/compile/param-changes';
import type { CompareFlag, NodeMetricsSummary } from '../../server/compare/run-summaries';

/** What the shaping needs of a run: its id, and its headline numbers per node. */
export interface RunMetrics {
  id: string;
  metrics: Record<string, NodeMetricsSummary>;
}

const PALETTE = ['#4f46e5', '#ea580c', '#0891b2', '#16a34a', '#db2777', '#ca8a04', '#7c3aed', '#0d9488', '#dc2626', '#525252'];

/** The colour of run i everywhere on the page (table swatch, curve, parallel line). */
export const runColor = (i: number) => PALETTE[i % PALETTE.length];

/** Whether a bigger value of a metric is better (`max`), a smaller one (`min`), or neither (counts, epochs). */
export function metricDirection(metric: string): 'max' | 'min' | null {
  if (/loss|perplexity|error/i.test(metric)) return 'min';
  if (/accuracy|f1|precision|recall|auc|score/i.test(metric)) return 'max';
  return null;
}

export interface MetricRow {
  metric: string;
  /** Run i's value, null where it has none. */
  values: (number | null)[];
  /** Indices of the runs with the best value (ties share it); empty when there is no better or all are equal. */
  best: number[];
  direction: 'max' | 'min' | null;
}

export interface MetricGroup {
  nodeId: string;
  name: string;
  kind: string;
  /** Run i's flags on this node (collapsed, chance …). */
  flags: CompareFlag[][];
  rows: MetricRow[];
}

/** Runs whose value is best in a row; none when fewer than two runs have a value or all values are equal. */
export function bestOf(values: (number | null)[], direction: 'max' | 'min' | null): number[] {
  const present = values.map((v, i) => [v, i] as const).filter((p): p is readonly [number, number] => p[0] !== null);
  if (!direction || present.length < 2) return [];
  const target = direction === 'max' ? Math.max(...present.map(([v]) => v)) : Math.min(...present.map(([v]) => v));
  if (present.every(([v]) => v === target)) return [];
  return present.filter(([v]) => v === target).map(([, i]) => i);
}

/** One table per node that reported numbers, evaluations first, then training stages; metrics in order of first appearance. */
export function metricGroups(runs: readonly RunMetrics[], nodeOrder: readonly string[] = []): MetricGroup[] {
  const nodes: string[] = [];
  for (const id of nodeOrder) if (runs.some((r) => r.metrics[id])) nodes.push(id);
  for (const r of runs) for (const id of Object.keys(r.metrics)) if (!nodes.includes(id)) nodes.push(id);
  const groups = nodes.map((nodeId): MetricGroup => {
    const first = runs.map((r) => r.metrics[nodeId]).find(Boolean)!;
    const metrics: string[] = [];
    for (const r of runs) for (const k of Object.keys(r.metrics[nodeId]?.values ?? {})) if (!metrics.includes(k)) metrics.push(k);
    return {
      nodeId,
      name: first.name,
      kind: first.kind,
      flags: runs.map((r) => r.metrics[nodeId]?.flags ?? []),
      rows: metrics.map((metric) => {
        const values = runs.map((r) => r.metrics[nodeId]?.values[metric] ?? null);
        const direction = metricDirection(metric);
        return { metric, values, best: bestOf(values, direction), direction };
      }),
    };
  });
  return [...groups.filter((g) => g.kind !== 'stage'), ...groups.filter((g) => g.kind === 'stage')];
}

export interface ParallelAxis {
  id: string;
  label: string;
  kind: 'param' | 'metric';
  scale: 'linear' | 'log' | 'category';
  /** Labels along the axis at positions 0 (bottom) … 1 (top). */
  ticks: { at: number; label: string }[];
  /** Run i's position on the axis, 0 … 1; null where it has no value. */
  positions: (number | null)[];
}

/** Most axes of each kind (more would not fit a readable chart). */
const MAX_PARAM_AXES = 8;
const MAX_METRIC_AXES = 6;

const shortNumber = (v: number) => (Math.abs(v) > 0 && (Math.abs(v) < 1e-2 || Math.abs(v) >= 1e5) ? v.toExponential(1).replace('.0e', 'e') : String(+v.toPrecision(3)));

function numericAxis(id: string, label: string, kind: ParallelAxis['kind'], values: (number | null)[]): ParallelAxis {
  const present = values.filter((v): v is number => v !== null);
  const lo = Math.min(...present);
  const hi = Math.max(...present);
  // Learning rates and similar span decades: a log axis spreads them evenly.
  const log = lo > 0 && hi / lo >= 20;
  const f = (v: number) => (log ? Math.log10(v) : v);
  const span = f(hi) - f(lo);
  const at = (v: number) => (span === 0 ? 0.5 : (f(v) - f(lo)) / span);
  const ticks = span === 0 ? [{ at: 0.5, label: shortNumber(lo) }] : [{ at: 0, label: shortNumber(lo) }, { at: 1, label: shortNumber(hi) }];
  return { id, label, kind, scale: log ? 'log' : 'linear', ticks, positions: values.map((v) => (v === null ? null : at(v))) };
}

/** Axes (params that differ, then the metrics worth ranking) and each run's position on them. */
export function parallelCoordinates(runCount: number, paramRows: readonly ParamDiffRow[], groups: readonly MetricGroup[]): ParallelAxis[] {
  const axes: ParallelAxis[] = [];
  for (const row of paramRows.filter((r) => r.differs).slice(0, MAX_PARAM_AXES)) {
    const id = `${row.nodeId}.${row.param}`;
    const values = row.values.map((v, i) => (row.absent[i] ? undefined : v));
    if (values.every((v) => v === undefined || typeof v === 'number')) {
      axes.push(numericAxis(id, id, 'param', values.map((v) => (v === undefined ? null : (v as number)))));
    } else {
      const labels = values.map((v, i) => (row.absent[i] ? null : formatParamValue(v)));
      const categories = [...new Set(labels.filter((l): l is string => l !== null))];
      const at = (l: string) => (categories.length === 1 ? 0.5 : categories.indexOf(l) / (categories.length - 1));
      axes.push({ id, label: id, kind: 'param', scale: 'category', ticks: categories.map((c) => ({ at: at(c), label: c })), positions: labels.map((l) => (l === null ? null : at(l))) });
    }
  }
  const rankable = groups.flatMap((g) => g.rows.filter((r) => r.direction && r.values.some((v) => v !== null)).map((r) => ({ g, r })));
  // Evaluations first; training stages' own numbers (train loss …) after them, while there is room.
  const ordered = [...rankable.filter(({ g }) => g.kind !== 'stage'), ...rankable.filter(({ g }) => g.kind === 'stage')];
  for (const { g, r } of ordered.slice(0, MAX_METRIC_AXES)) {
    axes.push(numericAxis(`${g.nodeId}:${r.metric}`, `${g.name} ${r.metric}`, 'metric', r.values.slice(0, runCount)));
  }
  return axes;
}

/** Short id for lists: r_AbCdEfGh… → #AbCdEf. */
export const shortRunId = (id: string) => `#${id.replace(/^r_/, '').slice(0, 6)}`;
