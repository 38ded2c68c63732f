// A sweep's plan before it starts: how many runs, and for each stage of the compiled DAG whether it
// runs once and is shared by every point (its cache key is the same in all of them) or runs per point
// (the swept node and everything below it), and whether its artifact is cached already.
import { getNodeDefinition, type GraphDocument } from '../../graph-nodes';
import { planRun } from '../../runtime/compile/plan';
import type { SweepPoint } from './grid';

/** One stage as the plan shows it. */
export interface PlannedStage {
  nodeId: string;
  /** The node's label, else its type's title. */
  title: string;
  type: string;
  /** Grid points whose artifact for this stage already exists (shared stages: 0 or all). */
  cachedPoints: number;
}

export interface SweepPlan {
  runs: number;
  /** Same cache key in every point: computed at most once (single flight), reused by the rest. */
  shared: PlannedStage[];
  /** A different key per point: computed once per point unless cached. */
  perPoint: PlannedStage[];
  /** Stage computations the sweep will actually do (shared stages once, per-point stages per point, cached ones never). */
  computations: number;
}

/** Plans a sweep from its points' cache keys (`keysOf` is the run service's: same scope, same data hashes). */
export function planSweep(base: GraphDocument, points: SweepPoint[], keysOf: (doc: GraphDocument) => Record<string, string>, cached: (key: string) => boolean): SweepPlan {
  const order = planRun(base);
  const pointKeys = points.map((p) => keysOf(p.document));
  const shared: PlannedStage[] = [];
  const perPoint: PlannedStage[] = [];
  let computations = 0;
  for (const nodeId of order) {
    const node = base.nodes.find((n) => n.id === nodeId)!;
    const keys = pointKeys.map((k) => k[nodeId]);
    const distinct = new Set(keys);
    const cachedKeys = [...distinct].filter(cached);
    const stage: PlannedStage = {
      nodeId,
      title: node.label || getNodeDefinition(node.type)?.title || node.type,
      type: node.type,
      cachedPoints: keys.filter((k) => cachedKeys.includes(k)).length,
    };
    (distinct.size === 1 ? shared : perPoint).push(stage);
    computations += distinct.size - cachedKeys.length;
  }
  return { runs: points.length, shared, perPoint, computations };
}

/** The plan in one line: "4 runs; runs once and shared: Load, DAPT; runs per point: Fine-tune, Eval". */
export function describeSweepPlan(plan: SweepPlan): string {
  const names = (stages: PlannedStage[]) => stages.map((s) => `${s.title}${s.cachedPoints > 0 ? ' (cached)' : ''}`).join(', ') || 'none';
  return `${plan.runs} run${plan.runs === 1 ? '' : 's'}; runs once and shared: ${names(plan.shared)}; runs per point: ${names(plan.perPoint)}`;
}
