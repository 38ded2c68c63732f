// Folds a run's numbered events into what the UI shows: statuses, progress, curves, metrics, logs.
import type { NodeStatus, NumberedRunEvent, RunStatus } from '../../runtime/exec/events';

export interface NodeRunState {
  status: NodeStatus;
  /** Why it failed, was skipped or cancelled. */
  error?: string;
  /** Warnings on the node's metrics (collapsed to one class, at chance …). */
  flags?: MetricFlag[];
  /** The cache key this run computed for the node: its badge applies while the document still has that key. */
  cacheKey?: string;
  step?: number;
  totalSteps?: number;
  etaSec?: number;
  /** What the node is doing ("parsing emails", "fine-tune", "validation"). */
  phase?: string;
  /** Set while it does data work: what `step` counts ("emails", "batches"); absent while training. */
  unit?: string;
}

/** A warning an evaluation attaches to its metrics (contract with the training loop's metrics). */
export interface MetricFlag {
  code: string;
  message: string;
}

/** The flags inside a metrics payload, if it has any. */
export function flagsOf(metrics: unknown): MetricFlag[] {
  const flags = (metrics as { flags?: unknown } | null)?.flags;
  return Array.isArray(flags) ? flags.filter((f): f is MetricFlag => !!f && typeof f === 'object' && typeof (f as MetricFlag).message === 'string') : [];
}

export interface SeriesPoint {
  step: number;
  loss?: number;
  lr?: number;
  tokensPerSec?: number;
}

export interface RunView {
  lastSeq: number;
  status: RunStatus | 'unknown';
  error?: string;
  backend?: string;
  device?: string;
  nodes: Record<string, NodeRunState>;
  series: Record<string, SeriesPoint[]>;
  metrics: Record<string, Record<string, unknown>>;
  logs: { seq: number; nodeId?: string; level: string; message: string; at: string }[];
}

export const emptyRunView = (): RunView => ({ lastSeq: 0, status: 'unknown', nodes: {}, series: {}, metrics: {}, logs: [] });

/** Applies events in seq order; events already seen (seq ≤ lastSeq) are ignored, so replays are safe. */
export function applyRunEvents(view: RunView, events: NumberedRunEvent[]): RunView {
  const fresh = events.filter((e) => e.seq > view.lastSeq).sort((a, b) => a.seq - b.seq);
  if (fresh.length === 0) return view;
  const next: RunView = { ...view, nodes: { ...view.nodes }, series: { ...view.series }, metrics: { ...view.metrics }, logs: view.logs };
  const newLogs: RunView['logs'] = [];
  for (const e of fresh) {
    next.lastSeq = e.seq;
    switch (e.type) {
      case 'run-status':
        next.status = e.status;
        if (e.error) next.error = e.error;
        if (e.backend) next.backend = e.backend;
        if (e.device) next.device = e.device;
        break;
      case 'node-status': {
        const prev = next.nodes[e.nodeId];
        next.nodes[e.nodeId] = { ...prev, status: e.status, error: e.error, cacheKey: e.cacheKey ?? prev?.cacheKey };
        // A stage's own error (StageError) never reaches the log stream; the reason belongs there too.
        if (e.error && (e.status === 'failed' || e.status === 'skipped')) {
          newLogs.push({ seq: e.seq, nodeId: e.nodeId, level: e.status === 'failed' ? 'error' : 'warn', message: `${e.status === 'failed' ? 'failed' : 'skipped'}: ${e.error}`, at: e.at });
        }
        break;
      }
      case 'progress':
        next.nodes[e.nodeId] = { ...(next.nodes[e.nodeId] ?? { status: 'running' }), step: e.step, totalSteps: e.totalSteps, etaSec: e.etaSec, phase: e.phase, unit: e.unit };
        // Data work (rows parsed, batches scored) counts something else than steps: not a point of the curves.
        if (!e.unit) next.series[e.nodeId] = [...(next.series[e.nodeId] ?? []), { step: e.step, loss: e.loss, lr: e.lr, tokensPerSec: e.tokensPerSec }];
        break;
      case 'metrics': {
        next.metrics[e.nodeId] = { ...next.metrics[e.nodeId], ...e.metrics };
        const flags = flagsOf(next.metrics[e.nodeId]);
        if (flags.length > 0) next.nodes[e.nodeId] = { ...(next.nodes[e.nodeId] ?? { status: 'running' }), flags };
        break;
      }
      case 'log':
        newLogs.push({ seq: e.seq, nodeId: e.nodeId, level: e.level, message: e.message, at: e.at });
        break;
    }
  }
  if (newLogs.length) next.logs = [...view.logs, ...newLogs].slice(-500);
  return next;
}

/** Why a run failed, in one line: its own error, or the first failed node's reason. */
export function runFailureReason(view: RunView): string | undefined {
  if (view.status !== 'failed') return undefined;
  if (view.error) return view.error;
  const failed = Object.entries(view.nodes).find(([, n]) => n.status === 'failed');
  if (failed) return `node "${failed[0]}" failed: ${failed[1].error ?? 'no reason given'}`;
  return undefined;
}

/** The nodes whose badge should show this run's state: those whose current cache key is the one
 * the run computed (an edit since the run gives a new key, and the old result no longer applies). */
export function nodesMatchingRun(view: RunView, currentKeys: Record<string, string> | undefined): Record<string, NodeRunState> {
  if (!currentKeys) return view.nodes;
  const out: Record<string, NodeRunState> = {};
  for (const [id, st] of Object.entries(view.nodes)) {
    const now = currentKeys[id];
    if (!now || !st.cacheKey || st.cacheKey === now) out[id] = st;
  }
  return out;
}

/** A node's progress in words: "parsing emails 2,000 / 6,046 emails", "download model.bin 3.1 / 17.6 MB", "step 40 of 300". */
export function progressText(n: Pick<NodeRunState, 'step' | 'totalSteps' | 'phase' | 'unit'>): string | undefined {
  if (n.totalSteps === undefined) return undefined;
  const step = n.step ?? 0;
  if (n.unit === 'bytes') return `${n.phase ?? 'download'} ${(step / 1e6).toFixed(1)} / ${(n.totalSteps / 1e6).toFixed(1)} MB`;
  if (n.unit) return `${n.phase ? `${n.phase} ` : ''}${step.toLocaleString('en-US')} / ${n.totalSteps.toLocaleString('en-US')} ${n.unit}`;
  return `${n.phase ? `${n.phase}: ` : ''}step ${step} of ${n.totalSteps}`;
}
