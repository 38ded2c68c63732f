// The shape of a stage: the runtime half of a node type (same id as its graph-nodes declaration).
import type { z } from 'zod';
import type { NodeDefinition, PortMap, PortSpec } from '../../graph-nodes';
import type { RunEvent } from '../exec/events';
import type { PortValues } from '../exec/port-values';

/** Where a stage may read and write on the compute host. */
export interface RuntimeEnv {
  /** Root of Tunegraph's data (artifacts, uploads, checkpoints). */
  dataDir: string;
  /** Folder local Hugging Face models must live in (user paths are confined to it). */
  modelsDir: string;
  /** Folder of uploaded files (by workspace). */
  uploadsDir: string;
  /** Folder of models that ship with Tunegraph. */
  bundledModelsDir: string;
}

type Value<S extends PortSpec> = S['multiple'] extends true
  ? PortValues[S['type']][]
  : S['optional'] extends true
    ? PortValues[S['type']] | undefined
    : PortValues[S['type']];

/** A stage's inputs, typed from its node declaration. */
export type InputsOf<I extends PortMap> = { [K in keyof I]: Value<I[K]> };
/** A stage's outputs, typed from its node declaration. */
export type OutputsOf<O extends PortMap> = { [K in keyof O]: PortValues[O[K]['type']] };

type ProgressEvent = Extract<RunEvent, { type: 'progress' }>;

/** Params as a stage sees them: every "auto" already replaced by its resolved number. */
export type ResolvedParamsOf<P> = { [K in keyof P]: Exclude<P[K], 'auto'> };

/** What a running stage gets: resolved params, loaded inputs, and ways to report. */
export interface StageContext<P, I> {
  runId: string;
  nodeId: string;
  /** This node's cache key (stable across runs: checkpoints are keyed by it). */
  cacheKey: string;
  params: P;
  inputs: I;
  env: RuntimeEnv;
  /** The artifact folder being written (extra files a stage keeps, e.g. exports, go here). */
  artifactDir: string;
  /** Folder for resumable checkpoints of this exact stage configuration. */
  checkpointDir: string;
  signal: AbortSignal;
  progress(p: Omit<ProgressEvent, 'type' | 'nodeId'>): void;
  metrics(m: Record<string, unknown>): void;
  log(message: string, level?: 'info' | 'warn' | 'error'): void;
  /** Throws CancelledError when the run was cancelled. */
  throwIfCancelled(): void;
}

/** A stage implementation bound to its node type. */
export interface Stage<D extends NodeDefinition = NodeDefinition> {
  type: D['type'];
  /** Bump when the stage's math changes; it is part of every cache key of this type. */
  codeVersion: string;
  run(ctx: StageContext<ResolvedParamsOf<z.infer<D['params']>>, InputsOf<D['inputs']>>): Promise<OutputsOf<D['outputs']>>;
}

/** Binds an implementation to a node declaration; params and inputs are inferred from it. */
export function defineStage<P extends z.ZodObject, I extends PortMap, O extends PortMap>(
  def: NodeDefinition<P, I, O>,
  codeVersion: string,
  run: (ctx: StageContext<ResolvedParamsOf<z.infer<P>>, InputsOf<I>>) => Promise<OutputsOf<O>>,
): Stage<NodeDefinition<P, I, O>> {
  return { type: def.type, codeVersion, run };
}
