// One node into its artifact, shared by the whole-run executor (embedded mode) and the one-stage
// executor (queue mode): reuse the artifact when it exists (or wait while another run computes the
// same key), else load the inputs, run the stage, write every output into a temp folder and commit it
// atomically. Emits the node's status, progress, metrics and logs; never throws for a stage's failure.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { getNodeDefinition, type GraphEdge, type GraphNode, type NodeDefinition } from '../../graph-nodes';
import { resolveParams } from '../compile/params';
import { applyResolved, type ResolvedParam } from '../compile/resolve-defaults';
import type { RuntimeEnv, Stage } from '../stages/define-stage';
import { CancelledError, StageError } from '../stages/stage-error';
import type { ArtifactStorage } from './artifact-store';
import type { NodeStatus, RunEvent } from './events';
import { portCodecs } from './port-codecs';
import type { StageFlights } from './single-flight';

/** File in an artifact holding the metrics a stage reported while running (DAPT perplexity …). */
export const STAGE_METRICS = 'stage-metrics.json';

/** How a stage ended; `error` is the reason shown on the node. */
export interface StageOutcome {
  status: Extract<NodeStatus, 'done' | 'cached' | 'failed' | 'cancelled'>;
  error?: string;
}

/** A node of a run, with what it needs from the run around it. */
export interface StageRequest {
  runId: string;
  node: GraphNode;
  /** Edges into the node. */
  incoming: GraphEdge[];
  /** Cache keys of this node and of its upstream nodes. */
  keys: Record<string, string>;
  /** Run even if the artifact exists ("rerun from here"). */
  force: boolean;
  /** Resolved "auto" values of this node's params; asked only when a param is "auto". */
  autoParams: () => Record<string, ResolvedParam> | undefined;
  /** Where the stage keeps resumable checkpoints. */
  checkpointDir: string;
}

export interface StageRunOptions {
  stages: Record<string, Stage>;
  store: ArtifactStorage;
  env: RuntimeEnv;
  emit: (event: RunEvent) => void;
  signal: AbortSignal;
  /** Claims on keys in the shared store: a stage another run is computing is waited for, not computed twice. */
  flights?: StageFlights;
}

/** Runs (or reuses) one node's artifact; resolves to how it ended, after emitting that status. */
export async function runStageIntoArtifact(req: StageRequest, opts: StageRunOptions): Promise<StageOutcome> {
  const { emit, signal, store } = opts;
  const { node } = req;
  const nodeId = node.id;
  const def = getNodeDefinition(node.type) as NodeDefinition;
  const key = req.keys[nodeId];
  const setStatus = (status: StageOutcome['status'] | 'running', error?: string) => emit({ type: 'node-status', nodeId, status, error, cacheKey: key });

  // Another run computing this very key (a sweep's shared stage): wait for it and reuse its artifact.
  let release: (() => void) | null = null;
  if (!req.force && opts.flights && !store.has(key)) {
    const outcome = await opts.flights.claim(key, { runId: req.runId, nodeId }, { signal, ready: () => store.has(key), onWait: (h) => emit({ type: 'log', nodeId, level: 'info', message: `waiting for ${h ? `run ${h.runId}` : 'another run'}, which is computing this identical stage, to reuse its result` }) });
    if (outcome.kind === 'cancelled') {
      setStatus('cancelled', 'cancelled');
      return { status: 'cancelled', error: 'cancelled' };
    }
    if (outcome.kind === 'claimed') release = outcome.release;
  }
  const loaded: { type: keyof typeof portCodecs; value: unknown }[] = [];
  let tmpDir: string | null = null;
  try {
    if (!req.force && store.has(key)) {
      setStatus('cached');
      // A cached node reports the metrics it produced when it ran, so history and UI stay complete.
      const dir = store.get(key)!;
      const recorded = [join(dir, STAGE_METRICS), ...Object.entries(def.outputs).filter(([, s]) => s.type === 'Metrics').map(([port]) => join(dir, port, 'metrics.json'))];
      for (const file of recorded) if (existsSync(file)) emit({ type: 'metrics', nodeId, metrics: JSON.parse(readFileSync(file, 'utf8')) });
      return { status: 'cached' };
    }
    const stage = opts.stages[node.type];
    if (!stage) throw new Error(`no stage implements node type "${node.type}"`);

    setStatus('running');
    // Let the status message leave the process before the stage's synchronous math starts.
    await new Promise((r) => setImmediate(r));
    const stageMetrics: Record<string, unknown> = {};
    try {
      const params = resolveParams(node.type, node.params);
      // "auto" params: the same rule and facts as graphs.check, so the run uses what the inspector showed.
      const auto = Object.values(params).includes('auto') ? req.autoParams() : undefined;
      const inputs: Record<string, unknown> = {};
      for (const [port, spec] of Object.entries(def.inputs)) {
        const values = [];
        for (const e of req.incoming.filter((edge) => edge.targetPort === port)) {
          const dir = store.get(req.keys[e.source]);
          if (!dir) throw new Error(`artifact of upstream node "${e.source}" is missing from the artifact store`);
          const value = await portCodecs[spec.type].load(join(dir, e.sourcePort));
          loaded.push({ type: spec.type, value });
          values.push(value);
        }
        inputs[port] = spec.multiple ? values : values[0];
      }
      tmpDir = store.begin(key);
      const outputs = (await stage.run({
        runId: req.runId,
        nodeId,
        cacheKey: key,
        params: applyResolved(nodeId, params, auto) as never,
        inputs: inputs as never,
        env: opts.env,
        artifactDir: tmpDir,
        // Created by the training loop on its first checkpoint (and removed when it ends): most stages never write one.
        checkpointDir: req.checkpointDir,
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
      await new Promise((r) => setImmediate(r));
      return { status: 'done' };
    } catch (err) {
      if (tmpDir) store.abort(tmpDir);
      if (err instanceof CancelledError || signal.aborted) {
        setStatus('cancelled', 'cancelled');
        return { status: 'cancelled', error: 'cancelled' };
      }
      // A user's mistake (StageError) is its message; anything else is a bug, logged with its stack.
      const message = err instanceof StageError ? err.message : `${(err as Error).message ?? err}`;
      if (!(err instanceof StageError)) emit({ type: 'log', nodeId, level: 'error', message: (err as Error).stack ?? String(err) });
      setStatus('failed', message);
      return { status: 'failed', error: message };
    }
  } finally {
    release?.();
    for (const l of loaded) (portCodecs[l.type].dispose as ((v: unknown) => void) | undefined)?.(l.value);
  }
}
