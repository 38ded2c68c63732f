// Runs one node of a plan on its own, for queue mode: its inputs come from the artifact store (an
// upstream node ran earlier, maybe on another host), its output is committed there atomically. A node
// whose artifact already exists is reported `cached` and not run again, so a redelivered job is harmless.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { getNodeDefinition, type GraphDocument, type NodeDefinition } from '../../graph-nodes';
import { diskFactSources } from '../compile/disk-facts';
import { graphFacts } from '../compile/graph-facts';
import { resolveParams } from '../compile/params';
import { applyResolved, resolveAutoParams } from '../compile/resolve-defaults';
import type { RuntimeEnv, Stage } from '../stages/define-stage';
import { CancelledError, StageError } from '../stages/stage-error';
import type { ArtifactStorage } from './artifact-store';
import type { NodeStatus, RunEvent } from './events';
import { STAGE_METRICS } from './execute-run';
import { portCodecs } from './port-codecs';
import type { FlightOutcome, StageFlights } from './single-flight';

/** One stage of a run, as a queue job carries it. */
export interface StageJob {
  runId: string;
  nodeId: string;
  /** The run's compiled document (the node, its params and its incoming edges are read from it). */
  document: GraphDocument;
  /** Cache keys of this node and of its upstream nodes. */
  keys: Record<string, string>;
  /** Run even if the artifact exists ("rerun from here"). */
  force: boolean;
}

/** How a stage ended; `error` is the reason shown on the node. */
export interface StageOutcome {
  status: Extract<NodeStatus, 'done' | 'cached' | 'failed' | 'cancelled'>;
  error?: string;
}

export interface ExecuteStageOptions {
  stages: Record<string, Stage>;
  store: ArtifactStorage;
  env: RuntimeEnv;
  emit: (event: RunEvent) => void;
  signal: AbortSignal;
  /** Claims on keys in the shared store: a stage another job is computing is waited for, not computed twice. */
  flights?: StageFlights;
}

/** Executes one node; emits its status, progress, metrics and logs like the whole-run executor does. */
export async function executeStage(job: StageJob, opts: ExecuteStageOptions): Promise<StageOutcome> {
  const { emit, signal, store } = opts;
  const { nodeId } = job;
  const node = job.document.nodes.find((n) => n.id === nodeId);
  if (!node) throw new Error(`node "${nodeId}" is not in run ${job.runId}'s document`);
  const def = getNodeDefinition(node.type) as NodeDefinition;
  const key = job.keys[nodeId];
  const setStatus = (status: StageOutcome['status'] | 'running', error?: string) => emit({ type: 'node-status', nodeId, status, error, cacheKey: key });

  let flight: Extract<FlightOutcome, { kind: 'claimed' }> | null = null;
  if (!job.force && opts.flights && !store.has(key)) {
    const outcome = await opts.flights.claim(key, { runId: job.runId, nodeId }, { signal, ready: () => store.has(key), onWait: (h) => emit({ type: 'log', nodeId, level: 'info', message: `waiting for ${h ? `run ${h.runId}` : 'another run'}, which is computing this identical stage, to reuse its result` }) });
    if (outcome.kind === 'cancelled') {
      setStatus('cancelled', 'cancelled');
      return { status: 'cancelled', error: 'cancelled' };
    }
    if (outcome.kind === 'claimed') flight = outcome;
  }
  if (!job.force && store.has(key)) {
    setStatus('cached');
    // A cached node reports the metrics it produced when it ran, so history and UI stay complete.
    const dir = store.get(key)!;
    const recorded = [join(dir, STAGE_METRICS), ...Object.entries(def.outputs).filter(([, s]) => s.type === 'Metrics').map(([port]) => join(dir, port, 'metrics.json'))];
    for (const file of recorded) if (existsSync(file)) emit({ type: 'metrics', nodeId, metrics: JSON.parse(readFileSync(file, 'utf8')) });
    return { status: 'cached' };
  }
  let stage: Stage | undefined;
  let params: Record<string, unknown>;
  let auto: ReturnType<typeof resolveAutoParams>[string] | undefined;
  try {
    stage = opts.stages[node.type];
    if (!stage) throw new Error(`no stage implements node type "${node.type}"`);
    // "auto" params: the same rule and facts as graphs.check and the whole-run executor.
    params = resolveParams(node.type, node.params);
    auto = Object.values(params).includes('auto') ? resolveAutoParams(graphFacts(job.document, diskFactSources(opts.env)))[nodeId] : undefined;
  } catch (err) {
    flight?.release();
    throw err;
  }

  setStatus('running');
  await new Promise((r) => setImmediate(r));
  const incoming = job.document.edges.filter((e) => e.target === nodeId);
  const loaded: { type: keyof typeof portCodecs; value: unknown }[] = [];
  const stageMetrics: Record<string, unknown> = {};
  let tmpDir: string | null = null;
  try {
    const inputs: Record<string, unknown> = {};
    for (const [port, spec] of Object.entries(def.inputs)) {
      const values = [];
      for (const e of incoming.filter((edge) => edge.targetPort === port)) {
        const dir = store.get(job.keys[e.source]);
        if (!dir) throw new Error(`artifact of upstream node "${e.source}" is missing from the artifact store`);
        const value = await portCodecs[spec.type].load(join(dir, e.sourcePort));
        loaded.push({ type: spec.type, value });
        values.push(value);
      }
      inputs[port] = spec.multiple ? values : values[0];
    }
    tmpDir = store.begin(key);
    // Created by the training loop on its first checkpoint (and removed when it ends): most stages never write one.
    const checkpointDir = store.checkpointDir(key);
    const outputs = (await stage.run({
      runId: job.runId,
      nodeId,
      cacheKey: key,
      params: applyResolved(nodeId, params, auto) as never,
      inputs: inputs as never,
      env: opts.env,
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
    setStatus('done');
    return { status: 'done' };
  } catch (err) {
    if (tmpDir) store.abort(tmpDir);
    if (err instanceof CancelledError || signal.aborted) {
      setStatus('cancelled', 'cancelled');
      return { status: 'cancelled', error: 'cancelled' };
    }
    const message = err instanceof StageError ? err.message : `${(err as Error).message ?? err}`;
    if (!(err instanceof StageError)) emit({ type: 'log', nodeId, level: 'error', message: (err as Error).stack ?? String(err) });
    setStatus('failed', message);
    return { status: 'failed', error: message };
  } finally {
    flight?.release();
    for (const l of loaded) (portCodecs[l.type].dispose as ((v: unknown) => void) | undefined)?.(l.value);
  }
}
