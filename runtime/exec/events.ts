// The typed events a run emits; persisted in order (numbered per run) and pushed to browsers.

/** Status of a whole run. */
export type RunStatus = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';
/** Status of one node in a run. `cached`: its artifact already existed, so it did not run. */
export type NodeStatus = 'queued' | 'running' | 'cached' | 'done' | 'failed' | 'skipped' | 'cancelled';

/** Everything a run can tell the world, one variant per kind. */
export type RunEvent =
  /** The run changed state; `backend`/`device` say where it computes. */
  | { type: 'run-status'; status: RunStatus; error?: string; backend?: string; device?: string }
  /** A node changed state; failed and skipped nodes carry the reason. */
  | { type: 'node-status'; nodeId: string; status: NodeStatus; error?: string; cacheKey?: string }
  /** Progress of a node: training steps (one per logged step), or data work when `unit` is set
   * (`step` of `totalSteps` rows parsed, rows tokenized, batches scored, bytes downloaded …). */
  | {
      type: 'progress';
      nodeId: string;
      step: number;
      totalSteps: number;
      epoch: number;
      loss?: number;
      lr?: number;
      tokensPerSec?: number;
      etaSec?: number;
      phase?: string;
      /** What `step` counts when it is not a training step ("rows", "batches", "bytes"); absent while training. */
      unit?: string;
    }
  /** Metrics a node produced (evaluation results, perplexity before/after DAPT …). */
  | { type: 'metrics'; nodeId: string; metrics: Record<string, unknown> }
  /** A log line, from a node or from the executor. */
  | { type: 'log'; nodeId?: string; level: 'info' | 'warn' | 'error'; message: string };

/** An event as stored and sent: numbered within its run. */
export type NumberedRunEvent = RunEvent & { runId: string; seq: number; at: string; /** Worker clock (ms) when emitted, for latency measurement. */ emittedAt?: number };
