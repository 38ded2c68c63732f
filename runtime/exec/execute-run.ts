// Runs a compiled plan node by node: cached nodes are skipped, each stage's outputs are written
// atomically to the content-addressed store, a failure skips everything downstream of it, and
// every step is reported as an event. Runs inside the worker process.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { getNodeDefinition, type GraphDocument, type GraphEdge, type NodeDefinition } from '../../graph-nodes';
import { diskFactSources } from '../compile/disk-facts';
import { graphFacts } from '../compile/graph-facts';
import { resolveParams } from '../compile/params';
import { applyResolved, resolveAutoParams } from '../compile/resolve-defaults';
import { sweepEmptyCheckpointFolders } from '../stages/common/checkpoint';
import type { RuntimeEnv, Stage } from '../stages/define-stage';
import { CancelledError, StageError } from '../stages/stage-error';
import { ArtifactStore } from './artifact-store';
import type { NodeStatus, RunEvent } from './events';
import { portCodecs } from './port-codecs';
import { StageFlights, type FlightOutcome } from './single-flight';

/** File in an artifact holding the metrics a stage reported while running (DAPT perplexity …). */
export const STAGE_METRICS = 'stage-metrics.json';

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
  // "auto" params: the same rule and facts as graphs.check, so the run uses what the inspector showed.
  const auto = resolveAutoParams(graphFacts(job.document, diskFactSources(job.env)));
  let failed = false;

  for (const nodeId of job.order) {
    if (signal.aborted) break;
    const node = nodes.get(nodeId)!;
    const def = getNodeDefinition(node.type) as NodeDefinition;
    const key = job.keys[nodeId];
    const incoming = incomingOf.get(nodeId) ?? [];
    const blocked = incoming.find((e) => status.get(e.source) === 'failed' || status.get(e.source) === 'skipped');
    if (blocked) {
      setStatus(nodeId, 'skipped', `upstream node "${blocked.source}" ${status.get(blocked.source)}`);
      continue;
    }
    // Another run computing this very key (a sweep's shared stage): wait for it and reuse its artifact.
    let flight: Extract<FlightOutcome, { kind: 'claimed' }> | null = null;
    if (!force.has(nodeId) && !store.has(key)) {
      const outcome = await flights.claim(key, { runId: job.runId, nodeId }, { signal, ready: () => store.has(key), onWait: (h) => emit({ type: 'log', nodeId, level: 'info', message: `waiting for ${h ? `run ${h.runId}` : 'another run'}, which is computing this identical stage, to reuse its result` }) });
      if (outcome.kind === 'cancelled') break;
      if (outcome.kind === 'claimed') flight = outcome;
    }
    if (!force.has(nodeId) && store.has(key)) {
      setStatus(nodeId, 'cached');
      // A cached node reports the metrics it produced when it ran, so history and UI stay complete.
      const dir = store.get(key)!;
      const recorded = [join(dir, STAGE_METRICS), ...Object.entries(def.outputs).filter(([, s]) => s.type === 'Metrics').map(([port]) => join(dir, port, 'metrics.json'))];
      for (const file of recorded) if (existsSync(file)) emit({ type: 'metrics', nodeId, metrics: JSON.parse(readFileSync(file, 'utf8')) });
      continue;
    }
    const stage = opts.stages[node.type];
    if (!stage) {
      flight?.release();
      throw new Error(`no stage implements node type "${node.type}"`);
    }

    setStatus(nodeId, 'running');
    // Let the status message leave the process before the stage's synchronous math starts.
    await new Promise((r) => setImmediate(r));
    const loaded: { type: keyof typeof portCodecs; value: unknown }[] = [];
    const stageMetrics: Record<string, unknown> = {};
    let tmpDir: string | null = null;
    try {
      const inputs: Record<string, unknown> = {};
      for (const [port, spec] of Object.entries(def.inputs)) {
        const edges = incoming.filter((e) => e.targetPort === port);
        const values = [];
        for (const e of edges) {
          const dir = store.get(job.keys[e.source]);
          if (!dir) throw new Error(`artifact of upstream node "${e.source}" is missing`);
          const value = await portCodecs[spec.type].load(join(dir, e.sourcePort));
          loaded.push({ type: spec.type, value });
          values.push(value);
        }
        inputs[port] = spec.multiple ? values : values[0];
      }
      tmpDir = store.begin(key);
      // Created by the training loop on its first checkpoint: most stages never write one.
      const checkpointDir = join(job.env.dataDir, 'checkpoints', key);
      const outputs = (await stage.run({
        runId: job.runId,
        nodeId,
        cacheKey: key,
        params: applyResolved(nodeId, resolveParams(node.type, node.params), auto[nodeId]) as never,
        inputs: inputs as never,
        env: job.env,
        artifactDir: tmpDir,
        checkpointDir,
        signal,
        progress: (p) => emit({ type: 'progress', nodeId, ...p }),
        metrics: (m) => {
          Object.assign(stageMetrics, m);
          emit({ type: 'metrics', nodeId, metrics: m });
        },
        log: (message, level = 'info') => emit({ type: 'log', nodeId, level, message }),
        throwIfCancelled: () => {
          if (signal.aborted) throw new CancelledError();
        },
      })) as Record<string, unknown>;
      for (const [port, spec] of Object.entries(def.outputs)) {
        const value = outputs[port];
        if (value === undefined) throw new Error(`stage "${node.type}" returned no value for output "${port}"`);
        await portCodecs[spec.type].save(value as never, join(tmpDir, port));
        if (spec.type === 'Metrics') emit({ type: 'metrics', nodeId, metrics: value as Record<string, unknown> });
        if (!loaded.some((l) => l.value === value)) loaded.push({ type: spec.type, value });
      }
      if (Object.keys(stageMetrics).length > 0) writeFileSync(join(tmpDir, STAGE_METRICS), JSON.stringify(stageMetrics));
      store.commit(key, tmpDir);
      tmpDir = null;
      setStatus(nodeId, 'done');
      await new Promise((r) => setImmediate(r));
    } catch (err) {
      if (tmpDir) store.abort(tmpDir);
      if (err instanceof CancelledError || signal.aborted) {
        setStatus(nodeId, 'cancelled');
        break;
      }
      failed = true;
      const message = err instanceof StageError ? err.message : `${(err as Error).message ?? err}`;
      if (!(err instanceof StageError)) emit({ type: 'log', nodeId, level: 'error', message: (err as Error).stack ?? String(err) });
      setStatus(nodeId, 'failed', message);
    } finally {
      flight?.release();
      for (const l of loaded) (portCodecs[l.type].dispose as ((v: unknown) => void) | undefined)?.(l.value);
    }
  }

  if (signal.aborted) {
    for (const id of job.order) if (status.get(id) === 'queued' || status.get(id) === 'running') setStatus(id, 'cancelled');
    return 'cancelled';
  }
  return failed ? 'failed' : 'done';
}
