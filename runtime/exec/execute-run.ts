// Runs a compiled plan node by node: cached nodes are skipped, each stage's outputs are written
// atomically to the content-addressed store, a failure skips everything downstream of it, and
// every step is reported as an event. Runs inside the worker process.
import { join } from 'node:path';
import type { GraphDocument, GraphEdge } from '../../graph-nodes';
import { diskFactSources } from '../compile/disk-facts';
import { graphFacts } from '../compile/graph-facts';
import { resolveAutoParams, type ResolvedParams } from '../compile/resolve-defaults';
import { sweepEmptyCheckpointFolders } from '../stages/common/checkpoint';
import type { RuntimeEnv, Stage } from '../stages/define-stage';
import { ArtifactStore } from './artifact-store';
import type { NodeStatus, RunEvent } from './events';
import { runStageIntoArtifact } from './run-stage';
import { StageFlights } from './single-flight';

export { STAGE_METRICS } from './run-stage';

/** Everything a worker needs to execute a run. */
export interface RunJob {
  runId: string;
  document: GraphDocument;
  /** Nodes to consider, in execution order. */
  order: string[];
  keys: Record<string, string>;
  /** Nodes that must run even if their artifact exists ("rerun from here"). */
  force?: string[];
  env: RuntimeEnv;
}

export interface ExecuteOptions {
  stages: Record<string, Stage>;
  emit: (event: RunEvent) => void;
  signal: AbortSignal;
}

/** Executes the job; resolves to the run's final status. */
export async function executeRun(job: RunJob, opts: ExecuteOptions): Promise<'done' | 'failed' | 'cancelled'> {
  const { emit, signal } = opts;
  const store = new ArtifactStore(join(job.env.dataDir, 'artifacts'));
  const flights = new StageFlights(store.root);
  const nodes = new Map(job.document.nodes.map((n) => [n.id, n]));
  // Incoming edges by node, built once (filtering every edge per node was quadratic in graph size).
  const incomingOf = new Map<string, GraphEdge[]>();
  for (const e of job.document.edges) {
    const list = incomingOf.get(e.target);
    if (list) list.push(e);
    else incomingOf.set(e.target, [e]);
  }
  const status = new Map<string, NodeStatus>();
  const force = new Set(job.force ?? []);
  const setStatus = (nodeId: string, s: NodeStatus, error?: string) => {
    status.set(nodeId, s);
    emit({ type: 'node-status', nodeId, status: s, error, cacheKey: job.keys[nodeId] });
  };

  sweepEmptyCheckpointFolders(join(job.env.dataDir, 'checkpoints'));
  for (const id of job.order) setStatus(id, 'queued');
  // "auto" params: the same rule and facts as graphs.check; worked out once, when a node first needs them.
  let auto: ResolvedParams | null = null;
  const autoFor = (nodeId: string) => (auto ??= resolveAutoParams(graphFacts(job.document, diskFactSources(job.env))))[nodeId];
  let failed = false;

  for (const nodeId of job.order) {
    if (signal.aborted) break;
    const incoming = incomingOf.get(nodeId) ?? [];
    const blocked = incoming.find((e) => status.get(e.source) === 'failed' || status.get(e.source) === 'skipped');
    if (blocked) {
      setStatus(nodeId, 'skipped', `upstream node "${blocked.source}" ${status.get(blocked.source)}`);
      continue;
    }
    const key = job.keys[nodeId];
    const outcome = await runStageIntoArtifact(
      { runId: job.runId, node: nodes.get(nodeId)!, incoming, keys: job.keys, force: force.has(nodeId), autoParams: () => autoFor(nodeId), checkpointDir: join(job.env.dataDir, 'checkpoints', key) },
      { stages: opts.stages, store, flights, env: job.env, emit, signal },
    );
    status.set(nodeId, outcome.status);
    if (outcome.status === 'cancelled') break;
    if (outcome.status === 'failed') failed = true;
  }

  if (signal.aborted) {
    for (const id of job.order) if (status.get(id) === 'queued' || status.get(id) === 'running') setStatus(id, 'cancelled');
    return 'cancelled';
  }
  return failed ? 'failed' : 'done';
}
